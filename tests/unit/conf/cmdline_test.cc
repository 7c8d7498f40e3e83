#include "dplb/conf/cmdline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>

namespace dplb::conf {
namespace {

using ::testing::HasSubstr;

// argv as the kernel gives it: mutable strings, argv[argc] == nullptr.
class Argv {
 public:
  Argv(std::initializer_list<const char*> args) {
    storage_.emplace_back("dplb");
    for (const char* a : args) storage_.emplace_back(a);
    for (std::string& s : storage_) pointers_.push_back(s.data());
    pointers_.push_back(nullptr);
  }
  int argc() const { return static_cast<int>(storage_.size()); }
  char** argv() { return pointers_.data(); }

 private:
  std::vector<std::string> storage_;
  std::vector<char*> pointers_;
};

Result<CmdLine> parse(std::initializer_list<const char*> args) {
  Argv a(args);
  return parse_cmdline(a.argc(), a.argv());
}

std::string error_of(std::initializer_list<const char*> args) {
  auto r = parse(args);
  EXPECT_FALSE(r.is_ok());
  if (r.is_ok()) return {};
  EXPECT_EQ(r.status().code(), EINVAL);
  return r.status().message();
}

TEST(CmdLine, ConfigOnly) {
  auto r = parse({"-c", "/etc/dplb.toml"});
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_FALSE(r->help);
  EXPECT_EQ(r->config_path, "/etc/dplb.toml");
  EXPECT_FALSE(r->ipc_socket);
  EXPECT_FALSE(r->pid_file);
  EXPECT_EQ(r->verbosity, 0u);
  EXPECT_TRUE(r->eal_args.empty());
}

TEST(CmdLine, AllOptions) {
  auto r = parse({"-v", "-x", "/run/d.ipc", "-p", "/run/d.pid", "-c", "d.toml", "-v", "--", "--no-huge",
                  "--vdev=net_null0", "-c", "--"});
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->config_path, "d.toml");
  EXPECT_EQ(r->ipc_socket, "/run/d.ipc");
  EXPECT_EQ(r->pid_file, "/run/d.pid");
  EXPECT_EQ(r->verbosity, 2u);
  // After "--" nothing is an option of ours, not even "-c" or another "--".
  EXPECT_EQ(r->eal_args, (std::vector<std::string>{"--no-huge", "--vdev=net_null0", "-c", "--"}));
}

TEST(CmdLine, AttachedValuesAndGroupedFlags) {
  auto r = parse({"-vvv", "-cd.toml", "-vx/run/x.ipc"});
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->config_path, "d.toml");
  EXPECT_EQ(r->ipc_socket, "/run/x.ipc");
  EXPECT_EQ(r->verbosity, 4u);
}

TEST(CmdLine, ValueMayLookLikeAnOption) {
  auto r = parse({"-c", "-v"});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->config_path, "-v");
  EXPECT_EQ(r->verbosity, 0u);
}

TEST(CmdLine, Help) {
  for (const char* h : {"-h", "--help"}) {
    auto r = parse({h});
    ASSERT_TRUE(r.is_ok()) << h;
    EXPECT_TRUE(r->help);
  }
  auto r = parse({"-c", "x", "-vh"});
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r->help);
}

TEST(CmdLine, UsageTextNamesEveryOption) {
  std::string u = usage_text("/usr/sbin/dplb");
  EXPECT_THAT(
      u, ::testing::StartsWith(
             "usage: /usr/sbin/dplb [-c FILE] [-x IPC_SOCKET] [-p PIDFILE] [-v ...] [-- EAL_ARGS...]\n"));
  for (const char* option : {"-c FILE", "-x IPC_SOCKET", "-p PIDFILE", "-v ", "-h, --help", "-- EAL_ARGS"}) {
    EXPECT_THAT(u, HasSubstr("\n  " + std::string(option))) << option;
  }
}

TEST(CmdLine, ConfigFileIsOptional) {
  auto none = parse({});
  ASSERT_TRUE(none.is_ok());
  EXPECT_EQ(none->config_path, "");
  auto eal_only = parse({"-v", "--", "-c", "x"});
  ASSERT_TRUE(eal_only.is_ok());
  EXPECT_EQ(eal_only->config_path, "");
  EXPECT_EQ(eal_only->eal_args, (std::vector<std::string>{"-c", "x"}));
}

TEST(CmdLine, MissingValues) {
  EXPECT_EQ(error_of({"-c"}), "-c needs a value (try -h)");
  EXPECT_EQ(error_of({"-c", "x", "-x"}), "-x needs a value (try -h)");
  EXPECT_EQ(error_of({"-c", "x", "-vp"}), "-p needs a value (try -h)");
}

TEST(CmdLine, EmptyValues) {
  EXPECT_EQ(error_of({"-c", ""}), "-c: empty value (try -h)");
  EXPECT_EQ(error_of({"-c", "x", "-p", ""}), "-p: empty value (try -h)");
}

TEST(CmdLine, RepeatedOptions) {
  EXPECT_EQ(error_of({"-c", "x", "-c", "y"}), "-c given twice (try -h)");
  EXPECT_EQ(error_of({"-c", "x", "-x", "a", "-xb"}), "-x given twice (try -h)");
}

TEST(CmdLine, UnknownOptions) {
  EXPECT_EQ(error_of({"-c", "x", "-q"}), "unknown option -q (try -h)");
  EXPECT_EQ(error_of({"-c", "x", "-vq"}), "unknown option -q (try -h)");
  EXPECT_EQ(error_of({"-c", "x", "--config=y"}), "unknown option --config=y (try -h)");
  EXPECT_EQ(error_of({"-c", "x", "--verbose"}), "unknown option --verbose (try -h)");
}

TEST(CmdLine, StrayArguments) {
  EXPECT_EQ(error_of({"-c", "x", "--no-huge=1", "y"}), "unknown option --no-huge=1 (try -h)");
  EXPECT_EQ(error_of({"-c", "x", "extra"}),
            "unexpected argument \"extra\" (EAL arguments go after --) (try -h)");
  EXPECT_EQ(error_of({"-c", "x", "-"}), "unexpected argument \"-\" (EAL arguments go after --) (try -h)");
}

TEST(LogLevel, RaisesOneStepPerV) {
  EXPECT_EQ(raise_log_level("info", 0), "info");
  EXPECT_EQ(raise_log_level("info", 1), "debug");
  EXPECT_EQ(raise_log_level("info", 2), "trace");
  EXPECT_EQ(raise_log_level("info", 9), "trace");
  EXPECT_EQ(raise_log_level("warn", 1), "info");
  EXPECT_EQ(raise_log_level("off", 1), "critical");
  EXPECT_EQ(raise_log_level("trace", 1), "trace");
}

TEST(LogLevel, KnowsTheLevels) {
  for (const char* l : {"trace", "debug", "info", "warn", "error", "critical", "off"})
    EXPECT_TRUE(is_log_level(l)) << l;
  for (const char* l : {"", "INFO", "warning", "verbose"}) EXPECT_FALSE(is_log_level(l)) << l;
}

TEST(CmdLine, AppliesOverridesToTheConfig) {
  Config c;
  c.log_level = "warn";
  c.eal_args = {"--no-huge", "-m", "256"};
  auto r = parse({"-c", "x", "-vv", "-x", "/run/o.ipc", "--", "--vdev=net_null0"});
  ASSERT_TRUE(r.is_ok());
  apply_cmdline(*r, c);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.ipc_socket, "/run/o.ipc");
  EXPECT_EQ(c.eal_args, (std::vector<std::string>{"--no-huge", "-m", "256", "--vdev=net_null0"}));
}

TEST(CmdLine, NoOverridesLeaveTheConfigAlone) {
  Config c;
  c.ipc_socket = "/run/file.ipc";
  Config before = c;
  auto r = parse({"-c", "x"});
  ASSERT_TRUE(r.is_ok());
  apply_cmdline(*r, c);
  EXPECT_EQ(c, before);
}

}  // namespace
}  // namespace dplb::conf
