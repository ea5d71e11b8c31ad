#include "engine/storage/store_format.hpp"

namespace pathways::storage {

namespace {
std::string Aad(std::string_view label, std::string_view participant_id, PersonalScope scope,
                std::uint32_t generation) {
  std::string aad(label);
  aad += participant_id;
  aad.push_back('\0');
  aad.push_back(static_cast<char>(scope));
  codec::PutU32(aad, generation);
  return aad;
}
}  // namespace

std::string PersonalAad(std::string_view participant_id, PersonalScope scope,
                        std::uint32_t generation) {
  return Aad("pathways personal v1:", participant_id, scope, generation);
}

std::string WrapAad(std::string_view participant_id, PersonalScope scope,
                    std::uint32_t generation) {
  return Aad("pathways data key v1:", participant_id, scope, generation);
}

}  // namespace pathways::storage
