#include "response_log.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>

namespace logbase::test {

namespace {

// Bodies go as hex: they may be any bytes, and the checker decodes them.
std::string hex_of(const std::string& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

struct response_file {
  std::mutex mutex;
  std::FILE* file = nullptr;

  response_file() {
    const char* dir = std::getenv("LB_TEST_RESPONSES_DIR");
    if (!dir || !*dir)
      return;
    std::error_code ignored;
    std::filesystem::create_directories(dir, ignored);
    auto path = std::string{dir} + "/responses-" + std::to_string(::getpid())
                + ".jsonl";
    file = std::fopen(path.c_str(), "a");
  }

  void write(const httplib::Request& req, const httplib::Response& res) {
    std::string line = "{\"method\":\"" + hex_of(req.method)
                       + "\",\"path\":\"" + hex_of(req.path)
                       + "\",\"status\":" + std::to_string(res.status)
                       + ",\"headers\":{";
    bool first = true;
    for (const auto& [name, value] : res.headers) {
      line += first ? "\"" : ",\"";
      first = false;
      line += hex_of(name) + "\":\"" + hex_of(value) + "\"";
    }
    line += "},\"body\":\"" + hex_of(res.body) + "\"}\n";
    std::lock_guard<std::mutex> guard{mutex};
    std::fwrite(line.data(), 1, line.size(), file);
    std::fflush(file);
  }
};

response_file& the_file() {
  static response_file f;
  return f;
}

} // namespace

void record_responses(httplib::Client& c) {
  if (!the_file().file)
    return;
  c.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    the_file().write(req, res);
  });
}

} // namespace logbase::test
