#pragma once
// Atoms beyond the ones CAF already defines (get, put, delete, open, ...).
#include <caf/atom.hpp>
#include <caf/type_id.hpp>

CAF_ADD_ATOM(streamgate, sg, video_atom, "video")
CAF_ADD_ATOM(streamgate, sg, upload_atom, "upload")
CAF_ADD_ATOM(streamgate, sg, query_atom, "query")
CAF_ADD_ATOM(streamgate, sg, create_atom, "create")
CAF_ADD_ATOM(streamgate, sg, finish_atom, "finish")
CAF_ADD_ATOM(streamgate, sg, list_atom, "list")
CAF_ADD_ATOM(streamgate, sg, chunk_atom, "chunk")
CAF_ADD_ATOM(streamgate, sg, commit_atom, "commit")
CAF_ADD_ATOM(streamgate, sg, abort_atom, "abort")
CAF_ADD_ATOM(streamgate, sg, sweep_atom, "sweep")
CAF_ADD_ATOM(streamgate, sg, idle_check_atom, "idlecheck")
CAF_ADD_ATOM(streamgate, sg, job_atom, "job")
CAF_ADD_ATOM(streamgate, sg, enqueue_atom, "enqueue")
CAF_ADD_ATOM(streamgate, sg, cancel_atom, "cancel")
CAF_ADD_ATOM(streamgate, sg, progress_atom, "progress")
CAF_ADD_ATOM(streamgate, sg, done_atom, "done")
CAF_ADD_ATOM(streamgate, sg, kick_atom, "kick")
CAF_ADD_ATOM(streamgate, sg, run_atom, "run")
CAF_ADD_ATOM(streamgate, sg, state_atom, "state")
