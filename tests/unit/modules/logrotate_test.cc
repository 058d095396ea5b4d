// logrotate: the rendered configuration and the option checks (the module itself runs on sandbox hosts).
#include <catch2/catch.hpp>

#include "../../../src/modules/logrotate.h"
#include "provision/modules/module.h"

using prov::Value;
using prov::mod::logrotate::render_config;

namespace {
const std::string kHeader = "# Written by provision (logrotate module): changes made here are overwritten.\n";
}

TEST_CASE("logrotate renders options in one fixed order", "[logrotate]") {
  Value options = {{"postrotate", "systemctl reload app\ntouch /run/app.rotated\n"},
                   {"compress", true},
                   {"create", "0640 app adm"},
                   {"rotate", 7},
                   {"daily", true},
                   {"missingok", true},
                   {"delaycompress", false},
                   {"size", "100M"},
                   {"su", "app adm"}};
  std::string expected = kHeader +
                         "/var/log/app/*.log /var/log/app.err {\n"
                         "    daily\n"
                         "    rotate 7\n"
                         "    size 100M\n"
                         "    missingok\n"
                         "    compress\n"
                         "    nodelaycompress\n"
                         "    create 0640 app adm\n"
                         "    su app adm\n"
                         "    postrotate\n"
                         "        systemctl reload app\n"
                         "        touch /run/app.rotated\n"
                         "    endscript\n"
                         "}\n";
  CHECK(render_config({"/var/log/app/*.log", "/var/log/app.err"}, options) == expected);

  // The same options as a list, in another order, give the same file.
  Value list = Value::array({"su app adm", "rotate 7", "missingok", "compress", "delaycompress no", "daily",
                             "create 0640 app adm", "size 100M",
                             Value{{"postrotate", "systemctl reload app\ntouch /run/app.rotated"}}});
  CHECK(render_config({"/var/log/app/*.log", "/var/log/app.err"}, list) == expected);
}

TEST_CASE("logrotate option values", "[logrotate]") {
  const std::vector<std::string> p = {"/var/log/x.log"};
  auto body = [&](const Value& options) {
    std::string out = render_config(p, options);
    return out.substr(kHeader.size());
  };
  CHECK(body(Value::object()) == "/var/log/x.log {\n}\n");
  CHECK(body(nullptr) == "/var/log/x.log {\n}\n");
  CHECK(body({{"weekly", 0}}) == "/var/log/x.log {\n    weekly 0\n}\n");
  CHECK(body({{"weekly", "yes"}}) == "/var/log/x.log {\n    weekly\n}\n");
  CHECK(body({{"create", true}}) == "/var/log/x.log {\n    create\n}\n");
  CHECK(body({{"create", false}}) == "/var/log/x.log {\n    nocreate\n}\n");
  CHECK(body({{"notifempty", false}}) == "/var/log/x.log {\n    ifempty\n}\n");
  CHECK(body({{"dateyesterday", false}}) == "/var/log/x.log {\n}\n");
  CHECK(body({{"rotate", "-1"}}) == "/var/log/x.log {\n    rotate -1\n}\n");
  CHECK(body({{"maxage", "30"}, {"minsize", 1024}}) == "/var/log/x.log {\n    maxage 30\n    minsize 1024\n}\n");
  CHECK(body({{"prerotate", "a\n\n  b"}}) ==
        "/var/log/x.log {\n    prerotate\n        a\n\n          b\n    endscript\n}\n");
  CHECK(render_config({"/var/log/my app/*.log"}, nullptr).substr(kHeader.size()) == "\"/var/log/my app/*.log\" {\n}\n");
}

TEST_CASE("logrotate option errors", "[logrotate]") {
  using prov::mod::ArgError;
  const std::vector<std::string> p = {"/var/log/x.log"};
  CHECK_THROWS_AS(render_config(p, {{"compres", true}}), ArgError);
  CHECK_THROWS_WITH(render_config(p, {{"compres", true}}),
                    "unknown logrotate option 'compres' (did you mean 'compress'?)");
  CHECK_THROWS_WITH(render_config(p, Value::array({"rotat 4"})),
                    "unknown logrotate option 'rotat' (did you mean 'rotate'?)");
  CHECK_THROWS_WITH(render_config(p, {{"rotate", "seven"}}), "logrotate option 'rotate' takes a number, got 'seven'");
  CHECK_THROWS_WITH(render_config(p, {{"size", "10 MB"}}),
                    "logrotate option 'size' takes a size such as 100k, 10M or 1G, got '10 MB'");
  CHECK_THROWS_WITH(render_config(p, {{"compress", "maybe"}}),
                    "logrotate option 'compress' takes true or false, got 'maybe'");
  CHECK_THROWS_WITH(render_config(p, {{"daily", true}, {"weekly", true}}),
                    "logrotate options 'daily' and 'weekly' are both frequencies: choose one");
  CHECK(render_config(p, {{"daily", true}, {"weekly", false}}).find("daily") != std::string::npos);
  CHECK_THROWS_WITH(render_config(p, Value::array({"rotate 3", "rotate 4"})),
                    "logrotate option 'rotate' is given twice");
  CHECK_THROWS_WITH(render_config(p, {{"su", "root\nroot"}}), "logrotate option 'su' holds a newline");
  CHECK_THROWS_WITH(render_config(p, {{"create", "0640 a b }"}}), "logrotate option 'create' holds a brace");
  CHECK_THROWS_WITH(render_config(p, {{"postrotate", "x\n  endscript\ny"}}),
                    "logrotate option 'postrotate' holds an endscript line");
  CHECK_THROWS_WITH(render_config(p, {{"su", true}}), "logrotate option 'su' takes a value, got true");
  CHECK_THROWS_WITH(render_config(p, 5), "logrotate options must be a map or a list, got 5");
  CHECK_THROWS_WITH(render_config(p, Value::array({Value::array({1})})),
                    "logrotate options in a list are strings such as 'rotate 7' or one-key maps, got [1]");
  CHECK_THROWS_WITH(render_config({"var/log/x"}, nullptr), "logrotate path 'var/log/x' must be absolute");
  CHECK_THROWS_WITH(render_config({"/var/log/\"x"}, nullptr),
                    "logrotate path '/var/log/\"x' holds a character logrotate cannot read (\" \\ { } or a newline)");
  CHECK_THROWS_WITH(render_config({}, nullptr), "logrotate needs at least one path");
}

TEST_CASE("logrotate module arguments", "[logrotate]") {
  const auto& spec = prov::mod::find_module("logrotate")->spec();
  Value args = prov::mod::validate_args(spec, {{"name", "app"}, {"path", "/var/log/a.log,/var/log/b.log"}});
  CHECK(args["path"] == Value::array({"/var/log/a.log", "/var/log/b.log"}));
  CHECK(args["conf_dir"] == "/etc/logrotate.d");
  CHECK(args["state"] == "present");
  CHECK_THROWS_WITH(prov::mod::validate_args(spec, {{"path", "/x"}}), "missing required arguments: name");
  CHECK_THROWS_WITH(prov::mod::validate_args(spec, {{"name", "a"}, {"option", 1}}),
                    Catch::StartsWith("Unsupported parameters for (logrotate) module: option.") &&
                        Catch::EndsWith("(did you mean 'options'?)"));
}
