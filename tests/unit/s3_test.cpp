// The S3 client: its requests carry the signature of the AWS documentation's
// GET Object example (s3rver checks no signature, so this is the check), and
// against a real s3rver it puts, gets, ranges, heads, removes, uploads a
// file in parts and streams into a sink. Then the media files of two nodes
// sharing one bucket: sources and renditions shared, copied on first read,
// kept locally within a byte bound (least recently used out), removed.
#define BOOST_TEST_MODULE s3
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "runtime/media_files.hpp"
#include "runtime/s3.hpp"
#include "runtime/s3_objects.hpp"
#include "tests/support/etcd_process.hpp"  // free_port

namespace {

// Accepts one connection, keeps the request head, answers 206 with 10 bytes.
struct capture_server {
  int listener = -1;
  int port = 0;
  std::string head;
  std::thread worker;
  capture_server() {
    listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener, 1);
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    worker = std::thread{[this] {
      int fd = ::accept(listener, nullptr, nullptr);
      char buf[4096];
      while (head.find("\r\n\r\n") == std::string::npos) {
        auto n = ::read(fd, buf, sizeof buf);
        if (n <= 0)
          break;
        head.append(buf, static_cast<size_t>(n));
      }
      std::string answer = "HTTP/1.1 206 Partial Content\r\nContent-Length: 10\r\n\r\n0123456789";
      ::write(fd, answer.data(), answer.size());
      ::close(fd);
    }};
  }
  ~capture_server() {
    if (worker.joinable())
      worker.join();
    ::close(listener);
  }
};

struct s3rver_process {
  pid_t pid = -1;
  std::string dir;
  sg::s3::settings settings;
  s3rver_process() {
    char tmpl[] = "/tmp/sg-s3rver-XXXXXX";
    dir = ::mkdtemp(tmpl);
    int port = sg::testing::free_port();
    std::string bin = std::string{SG_SOURCE_DIR} + "/node_modules/.bin/s3rver";
    pid = ::fork();
    if (pid == 0) {
      int quiet = ::open("/dev/null", O_WRONLY);
      ::dup2(quiet, 1);
      auto p = std::to_string(port);
      ::execl(bin.c_str(), "s3rver", "-d", dir.c_str(), "-a", "127.0.0.1", "-p", p.c_str(), "--silent",
              "--configure-bucket", "media", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    settings.endpoint = "http://127.0.0.1:" + std::to_string(port);
    settings.bucket = "media";
    settings.access_key = "S3RVER";
    settings.secret_key = "S3RVER";
    settings.part_bytes = 5 << 20;
    for (int i = 0; i < 200; ++i) {
      try {
        sg::s3::client probe{settings};
        probe.head("probe");
        return;
      } catch (const sg::s3::error&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    throw std::runtime_error("s3rver did not start (npm ci installs it)");
  }
  ~s3rver_process() {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    std::filesystem::remove_all(dir);
  }
};

std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 gen{seed};
  std::string out(n, '\0');
  for (auto& c : out)
    c = static_cast<char>(gen() & 0xff);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(requests_carry_the_aws_example_signature) {
  capture_server server;
  sg::s3::settings s;
  s.endpoint = "http://examplebucket.s3.amazonaws.com";
  s.bucket = "";  // virtual-hosted, as in the example
  s.access_key = "AKIAIOSFODNN7EXAMPLE";
  s.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  s.connect_to = "examplebucket.s3.amazonaws.com:80:127.0.0.1:" + std::to_string(server.port);
  sg::s3::client c{s};
  c.pin_date_for_tests("20130524T000000Z", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(c.get_range("test.txt", 0, 9) == "0123456789");
  server.worker.join();
  BOOST_TEST(server.head.find("GET /test.txt HTTP/1.1") == 0u);
  BOOST_TEST(server.head.find(
               "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
               "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
               "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41") != std::string::npos,
             server.head);
}

BOOST_AUTO_TEST_CASE(media_urls_are_parsed_and_need_credentials) {
  std::string why;
  ::unsetenv("AWS_ACCESS_KEY_ID");
  BOOST_TEST(!sg::s3::parse_url("s3://media?endpoint=http://127.0.0.1:9000", &why));
  BOOST_TEST(why.find("AWS_ACCESS_KEY_ID") != std::string::npos);
  ::setenv("AWS_ACCESS_KEY_ID", "k", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
  auto s = sg::s3::parse_url("s3://media?endpoint=http://127.0.0.1:9000/&region=eu-west-1", &why);
  BOOST_REQUIRE(s);
  BOOST_TEST(s->bucket == "media");
  BOOST_TEST(s->endpoint == "http://127.0.0.1:9000");
  BOOST_TEST(s->region == "eu-west-1");
  BOOST_TEST(!sg::s3::parse_url("s3://media", &why));
  BOOST_TEST(!sg::s3::parse_url("http://media?endpoint=http://x", &why));
  BOOST_TEST(!sg::s3::parse_url("s3://a/b?endpoint=http://x", &why));
}

BOOST_AUTO_TEST_CASE(objects_go_in_and_come_out_byte_for_byte) {
  s3rver_process store;
  sg::s3::client c{store.settings};
  auto bytes = random_bytes(100000, 1);
  c.put("v1/360p/seg 00001.m4s", bytes);  // a space: escaped in the path
  BOOST_TEST(c.get("v1/360p/seg 00001.m4s") == bytes);
  BOOST_TEST(c.get_range("v1/360p/seg 00001.m4s", 10, 19) == bytes.substr(10, 10));
  auto info = c.head("v1/360p/seg 00001.m4s");
  BOOST_REQUIRE(info);
  BOOST_TEST(info->size == bytes.size());
  BOOST_TEST(!info->etag.empty());
  BOOST_TEST(!c.head("v1/none"));
  try {
    c.get("v1/none");
    BOOST_FAIL("a missing object was read");
  } catch (const sg::s3::error& e) {
    BOOST_TEST(e.status == 404);
  }
  c.remove("v1/360p/seg 00001.m4s");
  BOOST_TEST(!c.head("v1/360p/seg 00001.m4s"));
}

BOOST_AUTO_TEST_CASE(large_files_go_up_in_parts_and_stream_down) {
  s3rver_process store;
  sg::s3::client c{store.settings};
  auto path = store.dir + "-source.bin";
  auto bytes = random_bytes((17 << 20) + 12345, 2);  // four parts of 5 MiB, the last short
  std::ofstream{path, std::ios::binary} << bytes;
  c.put_file("v2/source", path);
  auto info = c.head("v2/source");
  BOOST_REQUIRE(info);
  BOOST_TEST(info->size == bytes.size());
  std::string streamed;
  c.get_to("v2/source", 0, UINT64_MAX, [&](const char* d, size_t n) {
    streamed.append(d, n);
    return true;
  });
  BOOST_TEST((streamed == bytes));
  size_t seen = 0;  // a sink that has enough stops the transfer
  c.get_to("v2/source", 0, UINT64_MAX, [&](const char*, size_t n) {
    seen += n;
    return seen < (1 << 20);
  });
  BOOST_TEST(seen < bytes.size());
  auto small = store.dir + "-small.bin";
  std::ofstream{small, std::ios::binary} << "poster";
  c.put_file("v2/poster.jpg", small);
  BOOST_TEST(c.get("v2/poster.jpg") == "poster");
  std::filesystem::remove(path);
  std::filesystem::remove(small);
}

namespace {

void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream{p, std::ios::binary} << bytes;
}

}  // namespace

// Two nodes' media over one bucket: what one shares the other reads, copying
// it on first use into a local copy bounded by bytes, least recently used
// out; a delete removes the objects.
BOOST_AUTO_TEST_CASE(shared_media_is_copied_on_first_read_and_bounded_locally) {
  namespace fs = std::filesystem;
  s3rver_process store;
  auto objects = sg::s3_object_store(store.settings);
  sg::s3::client c{store.settings};
  fs::path a_dir = store.dir + "-a", b_dir = store.dir + "-b";
  sg::media_files a{a_dir.string(), objects, 1 << 20};
  sg::media_files b{b_dir.string(), objects, 2500};  // room for two 1000-byte segments
  a.create();
  b.create();
  write_file(a_dir / "uploads" / "u1.part", "source bytes");
  a.commit_source("u1", "v1");
  a.share_source("v1");
  BOOST_TEST(c.get("videos/v1/source") == "source bytes");
  auto where = b.locate("v1");  // a transcode on b: the source comes from S3
  std::ifstream in{where.source, std::ios::binary};
  BOOST_TEST(std::string(std::istreambuf_iterator<char>(in), {}) == "source bytes");

  for (int i = 1; i <= 3; ++i)
    write_file(a_dir / "media" / "v1" / "720p" / ("seg_0000" + std::to_string(i) + ".m4s"),
               std::string(1000, static_cast<char>('0' + i)));
  a.share_renditions("v1");
  BOOST_TEST(c.get("videos/v1/.manifest") == "720p/seg_00001.m4s\n720p/seg_00002.m4s\n720p/seg_00003.m4s\n");

  auto open = [&](sg::media_files& m, const std::string& name) {
    struct stat st {};
    int fd = m.open_rendition("v1", name, &st);
    if (fd >= 0)
      ::close(fd);
    return fd >= 0 ? static_cast<int64_t>(st.st_size) : -1;
  };
  BOOST_TEST(open(b, "720p/seg_00001.m4s") == 1000);  // copied on first read
  BOOST_TEST(open(b, "720p/seg_00002.m4s") == 1000);
  BOOST_TEST(open(b, "720p/seg_00001.m4s") == 1000);  // used again: now the newest
  BOOST_TEST(open(b, "720p/seg_00003.m4s") == 1000);  // over the bound: seg 2 goes
  BOOST_TEST(b.cached_bytes() <= 2500u);
  BOOST_TEST(fs::exists(b_dir / "media" / "v1" / "720p" / "seg_00001.m4s"));
  BOOST_TEST(!fs::exists(b_dir / "media" / "v1" / "720p" / "seg_00002.m4s"));
  BOOST_TEST(open(b, "720p/seg_00002.m4s") == 1000);  // and comes back when asked
  BOOST_TEST(open(b, "720p/nothing.m4s") == -1);

  // A later transcode with fewer renditions drops the others from the store.
  fs::remove(a_dir / "media" / "v1" / "720p" / "seg_00003.m4s");
  a.share_renditions("v1");
  BOOST_TEST(!c.head("videos/v1/720p/seg_00003.m4s"));
  BOOST_TEST(b.remove_video("v1"));
  for (const char* key : {"videos/v1/source", "videos/v1/.manifest", "videos/v1/720p/seg_00001.m4s"})
    BOOST_TEST(!c.head(key), key);
  BOOST_TEST(b.cached_bytes() == 0u);
  fs::remove_all(a_dir);
  fs::remove_all(b_dir);
}
