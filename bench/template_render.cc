// Renders one template file with variables from a JSON file, as the template module does (trim_blocks, trailing
// newline handling), several times, and prints the median times in milliseconds: "cold" parses and renders
// (each run under a new name, so the parse cache never answers), "warm" renders an already parsed template.
//   bench_template TEMPLATE VARS_JSON RUNS OUTPUT [COLD_RUNS (RUNS)]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "provision/template/engine.h"

namespace {

std::string slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: bench_template TEMPLATE VARS_JSON RUNS OUTPUT [COLD_RUNS]\n");
    return 2;
  }
  std::string source = slurp(argv[1]);
  prov::tmpl::ValueVars vars(prov::Value::parse(slurp(argv[2])));
  int runs = std::max(1, std::atoi(argv[3]));
  int cold_runs = argc == 6 ? std::max(1, std::atoi(argv[5])) : runs;
  prov::tmpl::Options options;
  options.trim_blocks = true;
  options.keep_trailing_newline = false;  // the template module's settings; lost trailing newlines are put back
  std::string out;
  auto time = [&](const std::string& name) {
    options.name = name;
    auto start = std::chrono::steady_clock::now();
    out = prov::tmpl::render(source, vars, options);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  };
  try {
    std::vector<double> cold, warm;
    for (int i = 0; i < cold_runs; ++i) cold.push_back(time(std::string(argv[1]) + "#" + std::to_string(i)));
    time(argv[1]);
    for (int i = 0; i < runs; ++i) warm.push_back(time(argv[1]));
    std::ofstream(argv[4], std::ios::binary) << out;
    std::printf("%.2f %.2f\n", median(cold), median(warm));
  } catch (const prov::tmpl::TemplateError& e) {
    std::fprintf(stderr, "%s\n", e.describe().c_str());
    return 1;
  }
  return 0;
}
