// Reads the PyTorch golden files in tests/golden/ (format: tests/golden/README.md).
#pragma once
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace rnnlab::test {

struct GoldenFile {
  std::map<std::string, std::string> config;            // cell, layers, hidden, embed, vocab, unroll, batch
  std::map<std::string, std::vector<int>> ints;          // x, y
  std::map<std::string, std::vector<double>> tensors;    // name -> row-major values
  std::map<std::string, std::vector<long>> shapes;
  std::map<std::string, double> scalars;                 // loss

  int config_int(const std::string& key) const { return std::stoi(config.at(key)); }
  const std::vector<double>& tensor(const std::string& name) const {
    auto it = tensors.find(name);
    if (it == tensors.end()) throw std::runtime_error("golden file has no tensor " + name);
    return it->second;
  }
};

inline GoldenFile read_golden(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open golden file " + path);
  GoldenFile g;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::string kind, name;
    ss >> kind;
    if (kind == "config") {
      std::string kv;
      while (ss >> kv) {
        const auto eq = kv.find('=');
        g.config[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
    } else if (kind == "ints") {
      size_t n = 0;
      ss >> name >> n;
      std::vector<int> v(n);
      for (auto& x : v) ss >> x;
      g.ints[name] = v;
    } else if (kind == "tensor") {
      int ndims = 0;
      ss >> name >> ndims;
      std::vector<long> shape(static_cast<size_t>(ndims));
      size_t n = 1;
      for (auto& d : shape) {
        ss >> d;
        n *= static_cast<size_t>(d);
      }
      std::vector<double> v(n);
      for (auto& x : v) {
        std::string tok;
        ss >> tok;
        x = std::strtod(tok.c_str(), nullptr);
      }
      g.tensors[name] = v;
      g.shapes[name] = shape;
    } else if (kind == "scalar") {
      std::string tok;
      ss >> name >> tok;
      g.scalars[name] = std::strtod(tok.c_str(), nullptr);
    }
    if (kind != "config" && ss.fail()) throw std::runtime_error("malformed golden line: " + line.substr(0, 60));
  }
  return g;
}

inline std::string test_data_path(const std::string& relative) { return std::string(RNNLAB_TEST_DATA_DIR) + "/" + relative; }

}  // namespace rnnlab::test
