#include "tests/support/postgres_server.hpp"

#include <libpq-fe.h>

#include <arpa/inet.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <netinet/in.h>
#include <pwd.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace jobsync::test {

namespace {

namespace fs = std::filesystem;

// A port nobody listens on right now (the server binds it a moment later;
// start() tries again with another one should someone take it meanwhile).
uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0
      || getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("cannot find a free port");
  close(fd);
  return ntohs(addr.sin_port);
}

// The unprivileged user the server runs as when the tests run as root.
const passwd* server_user() {
  if (geteuid() != 0)
    return nullptr;
  for (const char* name : {"postgres", "nobody"})
    if (const passwd* p = getpwnam(name))
      return p;
  throw std::runtime_error("running as root, and there is no user postgres "
                           "or nobody to run PostgreSQL as");
}

std::string runuser_path() {
  for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser"})
    if (fs::exists(p))
      return p;
  throw std::runtime_error("running as root without runuser (util-linux)");
}

std::unique_ptr<postgres_server>& shared_instance() {
  static std::unique_ptr<postgres_server> server;
  return server;
}

} // namespace

std::optional<std::string> postgres_bin_dir() {
  std::optional<std::string> best;
  int best_version = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    auto bin = entry.path() / "bin";
    int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && fs::exists(bin / "initdb")
        && fs::exists(bin / "pg_ctl")) {
      best_version = version;
      best = bin.string();
    }
  }
  return best;
}

postgres_server::postgres_server() {
  auto bin = postgres_bin_dir();
  if (!bin)
    throw std::runtime_error("PostgreSQL's initdb and pg_ctl are not "
                             "installed (Debian: apt-get install postgresql)");
  bin_ = *bin;
  data_ = dir_.path() + "/data";
  if (const passwd* user = server_user())
    if (chown(dir_.path().c_str(), user->pw_uid, user->pw_gid) != 0)
      throw std::runtime_error("cannot hand " + dir_.path() + " to "
                               + user->pw_name);
  auto pwfile = dir_.path() + "/pwfile";
  write_file(pwfile, std::string{password} + "\n");
  if (const passwd* user = server_user())
    if (chown(pwfile.c_str(), user->pw_uid, user->pw_gid) != 0)
      throw std::runtime_error("cannot hand the password file over");
  run_tool("initdb", {"-D", data_, "-U", "jobsync", "-E", "UTF8", "--no-locale",
                      "--no-sync", "--auth-local=trust",
                      "--auth-host=scram-sha-256", "--pwfile=" + pwfile});
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_port();
    if (try_start())
      return;
  }
  std::ifstream log{dir_.path() + "/server.log"};
  std::string text{std::istreambuf_iterator<char>{log}, {}};
  throw std::runtime_error("PostgreSQL did not start; its log:\n" + text);
}

postgres_server::~postgres_server() {
  if (!running_)
    return;
  try {
    run_tool("pg_ctl", {"-D", data_, "-m", "immediate", "-w", "stop"});
  } catch (const std::exception&) {
    // The folder goes anyway; a server left behind dies with its files.
  }
}

void postgres_server::run_tool(const std::string& tool,
                               std::vector<std::string> args) {
  std::vector<std::string> argv;
  if (const passwd* user = server_user())
    argv = {runuser_path(), "-u", user->pw_name, "--"};
  argv.push_back(bin_ + "/" + tool);
  argv.insert(argv.end(), args.begin(), args.end());
  child_process p{argv};
  auto code = p.wait_exit(std::chrono::seconds(120));
  if (code != 0)
    throw std::runtime_error(tool + " failed:\n" + p.output());
}

bool postgres_server::try_start() {
  auto options = "-c listen_addresses=127.0.0.1 -c port="
                 + std::to_string(port_) + " -c unix_socket_directories='"
                 + dir_.path() + "' -c fsync=off -c max_connections=200";
  try {
    run_tool("pg_ctl", {"-D", data_, "-w", "-t", "120", "-l",
                        dir_.path() + "/server.log", "-o", options, "start"});
  } catch (const std::exception&) {
    return false;
  }
  running_ = true;
  return true;
}

void postgres_server::stop() {
  if (!running_)
    return;
  run_tool("pg_ctl", {"-D", data_, "-m", "fast", "-w", "stop"});
  running_ = false;
}

void postgres_server::start() {
  if (running_)
    return;
  if (!try_start())
    throw std::runtime_error("PostgreSQL did not start again on port "
                             + std::to_string(port_));
}

std::string postgres_server::url(const std::string& database) const {
  return "host=" + dir_.path() + " port=" + std::to_string(port_)
         + " user=jobsync dbname=" + database;
}

std::string postgres_server::tcp_url(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_)
         + " user=jobsync dbname=" + database;
}

std::string postgres_server::create_database() {
  auto name = "t" + std::to_string(next_database_++);
  query("postgres", "CREATE DATABASE " + name);
  return name;
}

bool postgres_server::has_lock_waiters(const std::string& database) {
  auto rows
      = query("postgres", "SELECT count(*) FROM pg_stat_activity WHERE "
                          "datname = '"
                              + database + "' AND wait_event_type = 'Lock'");
  return rows.at(0).at(0) != "0";
}

std::string postgres_server::database_of(const std::string& url) {
  auto at = url.find("dbname=");
  return at == std::string::npos ? std::string{} : url.substr(at + 7);
}

std::vector<std::vector<std::string>>
postgres_server::query(const std::string& database, const std::string& sql) {
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn{
      PQconnectdb(url(database).c_str()), PQfinish};
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error(std::string{"cannot connect: "}
                             + PQerrorMessage(conn.get()));
  std::unique_ptr<PGresult, void (*)(PGresult*)> r{
      PQexec(conn.get(), sql.c_str()), PQclear};
  auto status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error(sql + ": " + PQresultErrorMessage(r.get()));
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    std::vector<std::string> row;
    for (int j = 0; j < PQnfields(r.get()); ++j)
      row.emplace_back(PQgetvalue(r.get(), i, j));
    rows.push_back(std::move(row));
  }
  return rows;
}

postgres_server& shared_postgres() {
  auto& server = shared_instance();
  if (!server)
    server = std::make_unique<postgres_server>();
  return *server;
}

void stop_shared_postgres() {
  shared_instance().reset();
}

} // namespace jobsync::test
