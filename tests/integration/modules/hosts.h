#pragma once
// Which sandbox host each module's tests use: tests of different modules never share a host, so they can run
// side by side (run.sh runs the two groups below in parallel). A test that needs an untouched host resets its own.
//
// group A: [apt],[apt_repository],[apt_key],[user],[group],[service],[systemd],[lineinfile],[blockinfile],[get_url]
// group B: [postgresql],[git],[pip],[ufw],[logrotate],[plan]~[user]

namespace prov::test::hosts {

constexpr int kHostCount = 14;  // run.sh brings up sbx1..sbxN

constexpr int kApt = 1;          // apt, apt_repository, apt_key (2 and 3 for fresh-host cases)
constexpr int kAptFresh = 2;
constexpr int kAptRepo = 3;
constexpr int kUser = 4;         // user, group
constexpr int kService = 5;      // service, systemd
constexpr int kFiles = 6;        // lineinfile, blockinfile, get_url
constexpr int kUfw = 7;
constexpr int kLogrotate = 8;
constexpr int kPostgres = 9;
constexpr int kPostgresFresh = 10;
constexpr int kGit = 11;
constexpr int kPip = 12;
constexpr int kPlan = 13;        // check mode that follows the plan, across modules
constexpr int kSpare = 14;

}  // namespace prov::test::hosts
