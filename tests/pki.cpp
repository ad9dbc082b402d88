#include "pki.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <boost/test/unit_test.hpp>

#include "support.hpp"

namespace logbase::test {

namespace {

constexpr auto ec_key = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";

} // namespace

pki::pki() {
  auto tmpl = (std::filesystem::temp_directory_path() / "logbase-tls-XXXXXX")
                .string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error("cannot make a temporary folder");
  dir_ = tmpl;
  run(std::string{"openssl req -x509 "} + ec_key
      + " -days 1 -subj '/CN=logbase test CA' -keyout ca.key -out ca.pem");
  std::ofstream{path("node.ext")} << "basicConstraints=CA:FALSE\n"
                                     "keyUsage=digitalSignature\n"
                                     "extendedKeyUsage=serverAuth,"
                                     "clientAuth\n";
}

pki::~pki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string pki::path(const std::string& name) const {
  return dir_ + "/" + name;
}

void pki::node(const std::string& name, const std::string& alt_names) {
  std::string ext = "node.ext";
  if (!alt_names.empty()) {
    ext = name + ".ext";
    std::ofstream{path(ext)} << read_file(path("node.ext"))
                             << "subjectAltName=" << alt_names << "\n";
  }
  run("openssl req " + std::string{ec_key} + " -subj '/CN=" + name
      + "' -keyout " + name + ".key -out " + name + ".csr");
  run("openssl x509 -req -in " + name + ".csr -CA ca.pem -CAkey ca.key "
      "-CAcreateserial -days 1 -extfile " + ext + " -out " + name + ".pem");
}

void pki::rogue(const std::string& name) {
  run("openssl req -x509 " + std::string{ec_key} + " -days 1 -subj '/CN="
      + name + "' -keyout " + name + ".key -out " + name + ".pem");
}

void pki::bundle(const std::string& out, const std::vector<std::string>& in) {
  std::ofstream f{path(out)};
  for (auto& name : in)
    f << read_file(path(name));
}

std::vector<std::string> pki::flags(const std::string& name,
                                    const std::string& ca) const {
  return {"--node-tls-ca=" + path(ca), "--node-tls-cert=" + path(name + ".pem"),
          "--node-tls-key=" + path(name + ".key")};
}

void pki::run(const std::string& command) {
  auto line = "cd '" + dir_ + "' && " + command + " >/dev/null 2>&1";
  BOOST_REQUIRE_MESSAGE(std::system(line.c_str()) == 0, command);
}

} // namespace logbase::test
