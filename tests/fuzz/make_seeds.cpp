// Writes small valid model files and safetensors exports for every cell type: the fuzzers' starting corpus.
#include <fstream>
#include <string>

#include "rnnlab/session.hpp"

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const std::string model_dir = argv[1], st_dir = argv[2];
  std::string text;
  for (int i = 0; i < 30; ++i) text += "ab \"cd\" (ef) 🙂\n";
  int n = 0;
  for (const char* cell : {"rnn", "lstm", "gru", "lstm_peephole", "lstm_cifg"}) {
    rnnlab::Config c;
    c.model.cell = rnnlab::parse_cell(cell);
    c.model.layers = 1 + n % 2;
    c.model.hidden = 3;
    c.model.embed = n % 2 ? 0 : 2;
    c.train.batch = 2;
    c.train.unroll = 4;
    rnnlab::Session s(text, c);
    s.train_step();
    std::ofstream(model_dir + "/seed" + std::to_string(n) + ".rnnlab", std::ios::binary) << s.save(n % 2 == 0);
    std::ofstream(st_dir + "/seed" + std::to_string(n) + ".safetensors", std::ios::binary) << s.export_safetensors();
    ++n;
  }
  return 0;
}
