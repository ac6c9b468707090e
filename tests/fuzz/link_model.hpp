// The one small model the link-weights fuzzer loads payloads into, shared with make_seeds so the seeds fit it.
#pragma once
#include <string>

#include "rnnlab/session.hpp"

inline std::string link_fuzz_text() {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "ab \"cd\" (ef) 🙂\n";
  return text;
}

inline rnnlab::Session link_fuzz_session() {
  const std::string text = link_fuzz_text();
  rnnlab::Config c;
  c.model.cell = rnnlab::CellType::lstm;
  c.model.layers = 2;
  c.model.hidden = 3;
  c.model.embed = 2;
  c.train.batch = 2;
  c.train.unroll = 4;
  return rnnlab::Session(text, c);
}
