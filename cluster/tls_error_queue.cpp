// OpenSSL reports a failed call through the calling thread's error queue and
// asks every caller to empty it before an I/O call ("SSL_get_error(3)").
// CAF 0.17.6's TLS session (libcaf_openssl/src/openssl/session.cpp) empties
// it only inside CAF_LOG_INFO, which Debian's build (CAF_LOG_LEVEL_QUIET)
// compiles out. A member killed without a TLS close leaves "unexpected eof"
// on the queue of CAF's one multiplexer thread, and the next read on a
// healthy connection that merely has no data yet is then taken for a failure:
// CAF closes it. Every survivor dropped its link to every other survivor that
// way (docs/research/cluster-flap.md).
//
// These definitions take the place of libssl's for the whole process, CAF's
// calls included (the executable's symbols come first in the dynamic
// linker's lookup): each empties the queue, then calls libssl's own. A
// handshake step needs none: OpenSSL empties the queue itself there. That is
// what a correct caller does anyway, so other callers (libcurl, our probe)
// see no difference. Linked into an executable directly, never through a
// static library, where nothing would pull it in.
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

template <class Function>
Function libssl_own(const char* name) {
  auto* f = reinterpret_cast<Function>(::dlsym(RTLD_NEXT, name));
  if (f == nullptr) {
    std::fprintf(stderr, "streamgate: libssl has no %s\n", name);
    std::abort();
  }
  return f;
}

}  // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static const auto own = libssl_own<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return own(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static const auto own = libssl_own<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return own(ssl, buf, num);
}

}  // extern "C"
