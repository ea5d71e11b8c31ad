#pragma once
// A text file built into the binary by adapters/embed_texts.cmake: each generated .inc file
// holds one initializer of this per file.

namespace pathways::adapters {

struct EmbeddedText {
  const char* name;
  const char* text;
};

}  // namespace pathways::adapters
