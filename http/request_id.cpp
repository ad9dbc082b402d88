#include "http/request_id.hpp"

#include <atomic>
#include <cstdio>
#include <random>

namespace logbase {

bool safe_request_id(std::string_view id) {
  if (id.empty() || id.size() > max_request_id_length)
    return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
          || c == ':'))
      return false;
  return true;
}

std::string new_request_id() {
  // A random prefix per process, then a counter: no lock, no syscall.
  static const uint32_t process = std::random_device{}();
  static std::atomic<uint64_t> next{0};
  char text[32];
  std::snprintf(text, sizeof(text), "%08x-%llx", process,
                static_cast<unsigned long long>(++next));
  return text;
}

} // namespace logbase
