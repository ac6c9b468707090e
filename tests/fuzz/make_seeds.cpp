// Writes small valid model files, safetensors exports (every cell type), link weights, configuration texts and
// whole links (settings, text, weights): the fuzzers' seeds.
#include <fstream>
#include <string>

#include "link_model.hpp"
#include "link_open.hpp"
#include "rnnlab/config_text.hpp"
#include "rnnlab/session.hpp"

int main(int argc, char** argv) {
  if (argc < 6) return 2;
  const std::string model_dir = argv[1], st_dir = argv[2], link_dir = argv[3], config_dir = argv[4],
                    open_dir = argv[5];
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
    std::ofstream(config_dir + "/seed" + std::to_string(n) + ".txt", std::ios::binary) << rnnlab::config_to_text(c);
    ++n;
  }
  // Link weights for the fuzzer's own model, after a few different amounts of training.
  rnnlab::Session s = link_fuzz_session();
  for (int i = 0; i < 3; ++i) {
    for (int k = 0; k < 5 * i; ++k) s.train_step();
    const std::string weights = s.round_for_link();
    std::ofstream(link_dir + "/seed" + std::to_string(i) + ".rnlw", std::ios::binary) << weights;
    std::ofstream(open_dir + "/seed" + std::to_string(i) + ".link", std::ios::binary)
        << join_link_parts(rnnlab::config_to_text(s.config()), link_fuzz_text(), weights);
  }
  return 0;
}
