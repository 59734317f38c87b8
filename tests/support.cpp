// Test helpers.
#include "support.h"

#include "core/process.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <sys/wait.h>

namespace rapidnn::test {

namespace fs = std::filesystem;

std::optional<std::string> shared_ext(const std::string& relative) {
  const fs::path p = fs::path(RAPIDNN_SOURCE_DIR) / ".." / "shared" / "ext" / relative;
  if (fs::exists(p)) return p.lexically_normal().string();
  return std::nullopt;
}

std::optional<std::string> fashion_mnist() {
  const std::string d = fashion_mnist_dir();
  if (fs::exists(d + "/t10k-images-idx3-ubyte.gz")) return d;
  return std::nullopt;
}

Network random_network(Network net, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> w(0.0f, 0.3f);
  for (auto& l : net.layers) {
    for (auto& v : l.weights) v = w(rng);
    for (auto& v : l.bias) v = 0.2f * w(rng);
  }
  return net;
}

std::vector<float> random_inputs(const Network& net, std::int64_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> x(static_cast<std::size_t>(n * numel(net.input_shape)));
  for (auto& v : x) v = u(rng);
  return x;
}

Network small_mlp(int hidden, std::uint64_t seed) {
  Network net;
  net.input_shape = {16};
  net.layers.push_back(make_dense("fc", 16, hidden, ActKind::ReLU));
  net.layers.push_back(make_dense("out", hidden, 3));
  return random_network(net, seed);
}

RunResult run_cli(const std::string& args) { return run_cli_program(std::string(RAPIDNN_BIN) + " " + args + " 2>&1"); }

RunResult run_cli_program(const std::string& cmd) {
  RunResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return {127, "popen failed"};
  std::array<char, 4096> buf{};
  std::size_t got = 0;
  while ((got = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), got);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return r;
}

std::optional<std::string> render_check(const std::string& html_file) {
  if (find_program("chromium").empty()) return std::nullopt;
  const RunResult dom = run_cli_program("chromium --headless --no-sandbox --disable-gpu --dump-dom file://" +
                                        std::filesystem::absolute(html_file).string() + " 2>/dev/null");
  const auto at = dom.output.find("id=\"render-check\"");
  if (dom.exit_code != 0 || at == std::string::npos) return std::string();
  return dom.output.substr(at, dom.output.find("</pre>", at) - at);
}

std::optional<PlotRender> plot_render(const std::string& check, const std::string& id) {
  const std::regex row(id + R"( (\d+)x(\d+) marks=(\d+) drawn=(true|false))");
  std::smatch m;
  if (!std::regex_search(check, m, row)) return std::nullopt;
  return PlotRender{std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), m[4] == "true"};
}

std::string temp_dir(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("rapidnn-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

}  // namespace rapidnn::test
