#include "own_broker.hpp"

#include <cstdlib>

#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "support.hpp"

namespace logbase::test {

own_broker::own_broker(const std::string& host)
  : host_(host), port_(free_port()), controller_port_(free_port()) {
  char cwd[4096];
  data_ = std::string{getcwd(cwd, sizeof(cwd))} + "/own-broker-"
          + std::to_string(port_);
  BOOST_REQUIRE(run("start") == 0);
}

own_broker::~own_broker() {
  run("stop");
  std::system(("rm -rf " + data_).c_str());
}

int own_broker::run(const std::string& verb) {
  const char* tools = std::getenv("LB_TEST_TOOLS");
  BOOST_REQUIRE(tools != nullptr);
  auto cmd = "KAFKA_HOST=" + host_ + " KAFKA_PORT=" + std::to_string(port_)
             + " KAFKA_DATA=" + data_
             + " KAFKA_CONTROLLER_PORT=" + std::to_string(controller_port_)
             + " " + tools + "/kafka " + verb + " >/dev/null";
  return std::system(cmd.c_str());
}

std::string own_broker::address() const {
  return host_ + ":" + std::to_string(port_);
}

} // namespace logbase::test
