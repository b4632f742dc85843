// One connection of the HTTP edge: a small state machine on its loop.
//   idle  -> wait for bytes, at most the keep-alive idle timeout
//   head  -> read the head (Beast's parser), at most the head deadline
//   body  -> a bounded body read whole here (one deadline); a streamed
//            body is read by its handler thread, the loop standing aside
//   serve -> the handler runs on the pool; the loop does nothing for it
//   write -> the answer: head and text with writev, files with sendfile
// then idle again, or a lingering close. docs/architecture.md §HTTP edge.
#include "gateway/edge_connection.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <future>
#include <limits>
#include <optional>

#include <boost/asio/post.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "gateway/blocking_socket.hpp"
#include "gateway/edge_wire.hpp"
#include "gateway/work_pool.hpp"
#include "runtime/metrics.hpp"
#include "runtime/text.hpp"

namespace sg {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

constexpr size_t body_piece = 64 * 1024;      // a bounded body grows by this much per read
constexpr size_t stream_piece = 128 * 1024;   // what a streamed body's handler gets at a time
constexpr size_t stream_read = 64 * 1024;     // the most Beast reads at once
constexpr size_t kept_buffer = 8 * 1024;      // an idle connection keeps at most this much
constexpr size_t idle_read = 2048;            // the first read of a request: most heads fit
constexpr auto linger_for = std::chrono::seconds(5);

metrics::counter& refusals(const char* reason) {
  return metrics::global().get_counter("streamgate_http_edge_refusals_total",
                                       "Requests and connections the HTTP edge refused itself",
                                       {{"reason", reason}});
}

using steady = std::chrono::steady_clock;

}  // namespace

class edge_connection : public has_deadline, public std::enable_shared_from_this<edge_connection> {
public:
  edge_connection(tcp::socket s, std::string ip, edge_shared& shared, bool admitted)
    : sock_(std::move(s)), ip_(std::move(ip)), shared_(shared),
      admitted_(admitted) {}

  ~edge_connection() {
    shared_.registry->leave(this);
    if (admitted_)
      shared_.registry->release(ip_);
  }

  void start() {
    error_code ec;
    sock_.set_option(tcp::no_delay(true), ec);  // keep-alive answers would stall ~40 ms
    sock_.native_non_blocking(true, ec);         // for our own sendfile calls
    auto local = sock_.local_endpoint(ec);
    local_addr_ = local.address().to_string();
    local_port_ = local.port();
    remote_port_ = sock_.remote_endpoint(ec).port();
    wait_for_request();
  }

  void refuse_at_start(int status, const std::string& why) { refuse(status, why); }
  tcp::socket::executor_type executor() { return sock_.get_executor(); }

  void drain() {
    if (phase_ == phase::idle || phase_ == phase::head)
      close();
  }

  enum class phase { idle, head, body, serve, write, closing };

  // Called by the loop's deadline sweep: a phase past its deadline has its
  // socket operations cancelled, and their handlers see timed_out_.
  void expire_if_due(steady::time_point now) override {
    if (now < deadline_)
      return;
    deadline_ = steady::time_point::max();
    timed_out_ = true;
    error_code ignored;
    sock_.cancel(ignored);
  }

private:
  // ---- deadlines, one per phase
  void arm(std::chrono::milliseconds d) {
    timed_out_ = false;
    deadline_ = steady::now() + d;
  }
  void disarm() { deadline_ = steady::time_point::max(); }

  // ---- idle and head
  void wait_for_request() {
    phase_ = phase::idle;
    if (shared_.draining || served_ >= static_cast<size_t>(shared_.settings.keepalive_max))
      return close();
    if (buf_.size() > 0)
      return read_head();  // pipelined
    arm(shared_.settings.idle_timeout);
    // A read, not a wait for readability: one reactor operation fewer.
    sock_.async_read_some(buf_.prepare(idle_read), [self = shared_from_this()](error_code ec, size_t n) {
      self->disarm();
      if (ec || self->timed_out_ || self->phase_ != phase::idle)
        return self->close();
      self->buf_.commit(n);
      self->read_head();
    });
  }

  void read_head() {
    phase_ = phase::head;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(shared_.settings.max_head_bytes));
    // Bounded bodies are counted as they are read. (Not boost::none: Beast
    // 1.74 compares a length against it and finds every length too large.)
    parser_->body_limit(std::numeric_limits<uint64_t>::max());
    arm(spread(shared_.settings.head_timeout));
    http::async_read_header(sock_, buf_, *parser_,
                            [self = shared_from_this()](error_code ec, size_t) { self->on_head(ec); });
  }

  void on_head(error_code ec) {
    disarm();
    if (timed_out_)
      return buf_.size() > 0 ? refuse(408, "the request head did not arrive in time") : close();
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset)
      return close();
    if (ec == http::error::header_limit)
      return refuse(431, "the request head exceeds " + std::to_string(shared_.settings.max_head_bytes) + " bytes");
    if (ec)
      return refuse(400, "malformed request: " + ec.message());
    auto x = std::make_shared<exchange>();
    to_request(x->req);
    const auto& h = parser_->get();
    continue_pending_ = h.version() == 11 && text::iequals(std::string(h[http::field::expect]), "100-continue");
    auto plan = shared_.app->plan(x->req);
    on_loop_ = plan.on_loop;
    if (plan.body == body_kind::stream) {
      x->body = httplib::ContentReader(
        [this](httplib::ContentReceiver receive) { return stream_body(std::move(receive)); },
        [](httplib::MultipartContentHeader, httplib::ContentReceiver) { return false; });
    }
    if (parser_->is_done())
      return dispatch(x);
    auto length = parser_->content_length();
    if (plan.body == body_kind::bounded && (!length || *length <= shared_.settings.max_body_bytes))
      return read_whole_body(x);
    // A streaming route reads its body itself; any other body is refused
    // unread by the filters, and the connection closes after the answer.
    dispatch(x);
  }

  void to_request(httplib::Request& req) const {
    const auto& h = parser_->get();
    req.method = std::string(h.method_string());
    req.target = std::string(h.target());
    req.version = h.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
    split_target(req.target, req.path, req.params);
    for (const auto& f : h)
      req.headers.emplace(std::string(f.name_string()), std::string(f.value()));
    req.remote_addr = ip_;
    req.remote_port = remote_port_;
    req.local_addr = local_addr_;
    req.local_port = local_port_;
  }

  // ---- bodies
  // "100 Continue" before the first byte of a body is read (RFC 9110 §10.1.1).
  template <class Next>
  void continue_then(Next next) {
    if (!continue_pending_)
      return next();
    continue_pending_ = false;
    static const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
    arm(shared_.settings.write_timeout);
    net::async_write(sock_, net::buffer(interim),
                     [self = shared_from_this(), next](error_code ec, size_t) mutable {
                       self->disarm();
                       if (ec)
                         return self->close();
                       next();
                     });
  }

  void read_whole_body(std::shared_ptr<exchange> x) {
    phase_ = phase::body;
    continue_then([self = shared_from_this(), x] {
      self->arm(self->shared_.settings.read_timeout);  // the whole body, not each read
      self->read_more_body(x);
    });
  }

  void read_more_body(std::shared_ptr<exchange> x) {
    auto& body = x->req.body;
    const size_t had = body.size();
    const size_t room = std::min(body_piece, shared_.settings.max_body_bytes + 1 - had);
    body.resize(had + room);
    parser_->get().body().data = body.data() + had;
    parser_->get().body().size = room;
    parser_->get().body().more = true;
    http::async_read_some(sock_, buf_, *parser_, [self = shared_from_this(), x, had, room](error_code ec, size_t) {
      auto& body = x->req.body;
      body.resize(had + room - self->parser_->get().body().size);
      if (ec == http::error::need_buffer)
        ec = {};
      if (self->timed_out_)
        return self->refuse(408, "the request body did not arrive in time");
      if (ec) {
        self->disarm();
        return ec == net::error::eof || ec == http::error::partial_message || ec == net::error::connection_reset
                 ? self->close()
                 : self->refuse(400, "malformed request body: " + ec.message());
      }
      if (body.size() > self->shared_.settings.max_body_bytes) {
        self->disarm();
        x->body_too_large = true;
        return self->dispatch(x);
      }
      if (!self->parser_->is_done())
        return self->read_more_body(x);
      self->disarm();
      self->dispatch(x);
    });
  }

  // On a handler thread: the body of a streaming route, read from the socket
  // by this thread (Beast parses it) while the loop leaves the connection
  // alone. Pulling each piece through the loop instead was measured at
  // 0.2x the upload speed: two thread hand-offs per piece.
  bool stream_body(httplib::ContentReceiver receive) {
    blocking_socket socket{sock_.native_handle(), shared_.settings.read_timeout};
    if (continue_pending_) {
      continue_pending_ = false;
      if (!socket.send_all("HTTP/1.1 100 Continue\r\n\r\n"))
        return false;
    }
    std::vector<char> piece(stream_piece);
    // Beast reads at most what the buffer's capacity allows (2 KiB after a
    // head): without room, a body took a system call per 2 KiB.
    buf_.reserve(stream_read);
    while (!parser_->is_done()) {
      parser_->get().body().data = piece.data();
      parser_->get().body().size = piece.size();
      parser_->get().body().more = true;
      error_code ec;
      http::read_some(socket, buf_, *parser_, ec);
      auto got = piece.size() - parser_->get().body().size;
      if (ec && ec != http::error::need_buffer)
        return false;
      if (got > 0 && !receive(piece.data(), got))
        return false;
    }
    return true;
  }

  // ---- serving
  void dispatch(std::shared_ptr<exchange> x) {
    phase_ = phase::serve;
    if (on_loop_) {
      shared_.app->serve(*x);
      if (!x->res.is_chunked_content_provider_)
        return write_answer(*x);
    }
    shared_.pool->post([self = shared_from_this(), x, served = on_loop_] {
      if (!served)
        self->shared_.app->serve(*x);
      if (x->res.is_chunked_content_provider_)
        return self->stream_chunked(x);
      net::post(self->sock_.get_executor(), [self, x] { self->write_answer(*x); });
    });
  }

  bool keep_alive_after(const exchange& x) {
    ++served_;
    return !x.close && parser_->is_done() && parser_->keep_alive() && !shared_.draining &&
           served_ < static_cast<size_t>(shared_.settings.keepalive_max) &&
           !text::iequals(x.res.get_header_value("Connection"), "close");
  }

  void write_answer(exchange& x) {
    phase_ = phase::write;
    keep_ = keep_alive_after(x);
    answer_ = plan_answer(x, keep_, parser_->get().version() == 10);
    next_piece_ = 0;
    send_next_piece();
  }

  void send_next_piece() {
    if (next_piece_ == answer_.pieces.size())
      return answered();
    auto& p = answer_.pieces[next_piece_];
    if (p.is_file())
      return send_file_piece();
    arm(shared_.settings.write_timeout);
    net::async_write(sock_, net::buffer(p.text), [self = shared_from_this()](error_code ec, size_t) {
      self->disarm();
      if (ec)
        return self->close();
      ++self->next_piece_;
      self->send_next_piece();
    });
  }

  void send_file_piece() {
    auto& p = answer_.pieces[next_piece_];
    while (p.file_left > 0) {
      off_t offset = static_cast<off_t>(p.file_offset);
      auto n = ::sendfile(sock_.native_handle(), answer_.file->fd, &offset,
                          static_cast<size_t>(std::min<uint64_t>(p.file_left, 1 << 30)));
      if (n > 0) {
        p.file_offset += static_cast<uint64_t>(n);
        p.file_left -= static_cast<uint64_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        arm(shared_.settings.write_timeout);  // per progress: a slow reader is not cut off
        sock_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](error_code ec) {
          self->disarm();
          if (ec || self->timed_out_)
            return self->close();
          self->send_file_piece();
        });
        return;
      }
      return close();  // the peer left, or the file shrank under us
    }
    ++next_piece_;
    send_next_piece();
  }

  void answered() {
    answer_ = {};
    if (!keep_)
      return linger();
    parser_.reset();
    if (buf_.size() == 0 && buf_.capacity() > kept_buffer)
      buf_.shrink_to_fit();
    wait_for_request();
  }

  // On a handler thread: a body made while it is sent (the log follow).
  void stream_chunked(std::shared_ptr<exchange> x) {
    // The loop leaves this connection alone until the post at the end.
    bool keep = keep_alive_after(*x);
    bool ok = write_blocking(chunked_head(*x, keep));
    bool done = false;
    httplib::DataSink sink;
    sink.write = [&](const char* data, size_t n) {
      ok = ok && (n == 0 || write_blocking(as_chunk(data, n)));
      return ok;
    };
    sink.is_writable = [&] { return ok && peer_open(); };
    sink.done = [&] {
      ok = ok && write_blocking("0\r\n\r\n");
      done = true;
    };
    for (size_t offset = 0; ok && !done;)
      ok = x->res.content_provider_(offset, 0, sink);
    x->res.content_provider_success_ = ok && done;
    net::post(sock_.get_executor(), [self = shared_from_this(), keep = keep && ok && done] {
      self->keep_ = keep;
      self->answered();
    });
  }

  bool write_blocking(std::string bytes) {
    std::promise<bool> written;
    auto future = written.get_future();
    net::post(sock_.get_executor(), [self = shared_from_this(), &bytes, &written] {
      self->arm(self->shared_.settings.write_timeout);
      net::async_write(self->sock_, net::buffer(bytes), [self, &written](error_code ec, size_t) {
        self->disarm();
        written.set_value(!ec);
      });
    });
    return future.get();
  }

  bool peer_open() {
    char probe;
    return ::recv(sock_.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT) != 0;
  }

  // ---- ends
  // An answer the edge writes before any handler ran; the connection closes.
  void refuse(int status, const std::string& why) {
    refusals(status == 503 ? "connections" : status == 408 ? "late_head" : status == 431 ? "head_too_large" : "malformed")
      .inc();
    phase_ = phase::write;
    keep_ = false;
    answer_ = plan_refusal(status, shared_.app->refusal(status, why));
    next_piece_ = 0;
    send_next_piece();
  }

  // The client may still be sending what we will not read: closing now would
  // reset the connection and could destroy the answer on its way, so our
  // side closes first and the rest is read and dropped, for a bounded time.
  void linger() {
    phase_ = phase::closing;
    error_code ec;
    sock_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec)
      return close();
    arm(linger_for);
    drop_rest();
  }

  void drop_rest() {
    if (!sink_)
      sink_ = std::make_unique<std::array<char, 4096>>();
    sock_.async_read_some(net::buffer(*sink_), [self = shared_from_this()](error_code ec, size_t) {
      if (ec || self->timed_out_)
        return self->close();
      self->drop_rest();
    });
  }

  void close() {
    phase_ = phase::closing;
    disarm();
    error_code ec;
    sock_.shutdown(tcp::socket::shutdown_both, ec);
    sock_.close(ec);
  }

  tcp::socket sock_;
  steady::time_point deadline_ = steady::time_point::max();
  bool timed_out_ = false;
  std::string ip_;
  int remote_port_ = 0;
  std::string local_addr_;
  int local_port_ = 0;
  edge_shared& shared_;
  bool admitted_;
  phase phase_ = phase::idle;
  boost::beast::flat_buffer buf_;
  std::optional<http::request_parser<http::buffer_body>> parser_;
  bool continue_pending_ = false;
  bool on_loop_ = false;  // this request's handler runs here, not on the pool
  size_t served_ = 0;
  bool keep_ = false;
  answer_plan answer_;
  size_t next_piece_ = 0;
  std::unique_ptr<std::array<char, 4096>> sink_;
};

void start_connection(tcp::socket socket, std::string ip, edge_shared& shared, deadline_sweep& sweep,
                      bool admitted, int refusal, std::string why) {
  auto c = std::make_shared<edge_connection>(std::move(socket), std::move(ip), shared, admitted);
  shared.registry->enter(c.get(), c);
  sweep.watch(c);
  if (refusal != 0)
    c->refuse_at_start(refusal, why);
  else
    c->start();
}

void drain_connection(const std::shared_ptr<edge_connection>& c) {
  net::post(c->executor(), [c] { c->drain(); });
}

}  // namespace sg
