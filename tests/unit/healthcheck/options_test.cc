// dplb-healthcheck's command line.
#include "healthcheck/options.h"

#include <gtest/gtest.h>

#include "dplb/ctrl/client.h"

namespace dplb::hc {
namespace {

Result<Command> parsed(std::vector<std::string> args) { return parse_options(args); }

TEST(Options, AllOptions) {
  auto c = parsed({"-f", "/etc/k.conf", "-x", "/tmp/d.ipc", "-n", "-l"});
  ASSERT_TRUE(c.is_ok()) << c.status().message();
  EXPECT_EQ(c->options.conf_path, "/etc/k.conf");
  EXPECT_EQ(c->options.ipc_path, "/tmp/d.ipc");
  EXPECT_TRUE(c->options.foreground);
  EXPECT_TRUE(c->options.log_stderr);
  EXPECT_FALSE(c->help);
}

TEST(Options, Defaults) {
  auto c = parsed({});
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->options.conf_path, "/etc/keepalived/keepalived.conf");
  EXPECT_EQ(c->options.ipc_path, ctrl::resolve_ipc_path(nullptr));
  EXPECT_FALSE(c->options.foreground);
  EXPECT_TRUE(parsed({"--help"})->help);
}

TEST(Options, Errors) {
  EXPECT_EQ(parsed({"-f"}).status().message(), "-f: missing FILE");
  EXPECT_EQ(parsed({"-x"}).status().message(), "-x: missing SOCKET");
  EXPECT_EQ(parsed({"-q"}).status().message(), "unknown option -q");
  EXPECT_EQ(parsed({"-q"}).status().code(), EINVAL);
}

}  // namespace
}  // namespace dplb::hc
