#pragma once
// libav's own log lines go into our JSON log (component "libav") with the id
// of the job they belong to, instead of to stderr as plain text.
#include <string>

namespace sg::av {

/// Installs the callback (once per process). Lines below `warning` are dropped.
void route_log_to_json();

/// Names the job whose lines follow (a worker runs one job at a time); ""
/// when idle. Each job gets at most a bounded number of lines: a corrupt
/// file can make a decoder complain about every packet.
void set_log_job(const std::string& job_id);

}  // namespace sg::av
