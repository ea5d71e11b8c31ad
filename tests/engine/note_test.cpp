// Signed notes against the reference example of Go's golang.org/x/mod/sumdb/note (its key
// pair, text and signature), so a note we sign verifies with that ecosystem's tools and theirs
// with ours; cosignatures round trip; malformed notes and keys are refused with a reason.

#include "engine/audit/note.hpp"

#include <doctest/doctest.h>

#include "engine/audit/checkpoint.hpp"

namespace pathways::audit::note {
namespace {

using audit::Checkpoint;
using audit::CheckpointText;
using audit::ParseCheckpoint;

constexpr const char* kVkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr const char* kSkey =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr const char* kText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr const char* kSigned =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

TEST_CASE("note: the Go reference key signs the reference note byte for byte") {
  Result<Signer> signer = DecodeSigner(kSkey);
  REQUIRE_MESSAGE(signer.ok(), signer.status().ToString());
  CHECK(EncodeVerifier(signer->verifier) == kVkey);
  CHECK(EncodeSigner(*signer) == kSkey);
  CHECK(signer->verifier.id() == 0xc74f20a3);
  Result<Signature> sig = Sign(kText, *signer);
  REQUIRE(sig.ok());
  CHECK(Format({kText, {*sig}}) == kSigned);

  Result<Verifier> v = DecodeVerifier(kVkey);
  REQUIRE(v.ok());
  Result<Note> note = Parse(kSigned);
  REQUIRE_MESSAGE(note.ok(), note.status().ToString());
  CHECK(note->text == kText);
  CHECK(Verify(*note, *v).ok());

  // A changed text, another key of the same name, a note without this key's signature.
  Note changed = *note;
  changed.text[3] = 'Y';
  CHECK(Verify(changed, *v).message() == "the signature of PeterNeumann does not verify");
  CryptoRandom random;
  Result<Signer> other = GenerateSigner("PeterNeumann", random);
  REQUIRE(other.ok());
  CHECK(Verify(*note, other->verifier).message().starts_with("the note has no signature of"));
  Note both = *note;
  both.signatures.push_back(*Sign(kText, *other));
  CHECK(Verify(both, *v).ok());  // other keys' lines are ignored
  CHECK(Verify(both, other->verifier).ok());
}

TEST_CASE("note: malformed keys and notes are refused, saying what is wrong") {
  const std::string vkey = kVkey;
  for (std::size_t cut = 1; cut < vkey.size(); ++cut) {
    CHECK_MESSAGE(!DecodeVerifier(vkey.substr(0, cut)).ok(), cut);
  }
  for (std::size_t i = 0; i < vkey.size(); ++i) {
    std::string mangled = vkey;
    ++mangled[i];
    CHECK_MESSAGE(!DecodeVerifier(mangled).ok(), i);
  }
  CHECK(DecodeVerifier("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
            .status()
            .message() == "the verifier key's id does not match its name and key");
  CHECK(!DecodeSigner(kVkey).ok());

  const std::string good = kSigned;
  CHECK(Parse(kText).status().message() == "the note has no blank line before its signatures");
  CHECK(!Parse(good.substr(0, good.size() - 1)).ok());
  std::string dashless = good;
  dashless.replace(dashless.find("\xE2\x80\x94"), 3, "--");
  CHECK(Parse(dashless).status().message() ==
        "a signature line does not start with an em dash and a space");
  std::string control = good;
  control[5] = '\t';
  CHECK(Parse(control).status().message() == "the note holds a control character");
  CHECK(!Parse(std::string(kText) + "\n\xE2\x80\x94 PeterNeumann !!!!\n").ok());
  std::string many = kText;
  many += "\n";
  const std::string line = good.substr(good.rfind("\n\n") + 2);
  for (int i = 0; i < 101; ++i) many += line;
  CHECK(Parse(many).status().message() == "the note has more than 100 signatures");
  CHECK(!IsValidKeyName("with space"));
  CHECK(!IsValidKeyName("a+b"));
  CHECK(!IsValidKeyName("no\xE2\x80\x83space"));
  CHECK(IsValidKeyName("pathways.example/amigo"));
}

TEST_CASE("note: a witness's cosignature carries its time and verifies only over that time") {
  CryptoRandom random;
  Result<Signer> witness = GenerateSigner("witness.example/w1", random);
  REQUIRE(witness.ok());
  CHECK(!Cosign(kText, *witness, 1).ok());  // a note key is no cosigner key
  witness->verifier.type = kCosignatureEd25519;
  Result<Signature> co = Cosign(kText, *witness, 1679315147);
  REQUIRE(co.ok());
  CHECK(co->bytes.size() == 72);
  Note note{kText, {*Sign(kText, *DecodeSigner(kSkey)), *co}};
  Result<Note> parsed = Parse(Format(note));
  REQUIRE(parsed.ok());
  std::uint64_t at = 0;
  CHECK(Verify(*parsed, witness->verifier, &at).ok());
  CHECK(at == 1679315147);
  Result<Verifier> round = DecodeVerifier(EncodeVerifier(witness->verifier));
  REQUIRE(round.ok());
  CHECK(round->type == kCosignatureEd25519);
  // Another time in the signature bytes: the signature no longer holds.
  parsed->signatures[1].bytes[7] ^= 1;
  CHECK(!Verify(*parsed, witness->verifier).ok());
}

TEST_CASE("checkpoint: the C2SP text round trips, and a malformed one is named by its line") {
  // The example of c2sp.org/tlog-checkpoint.
  const std::string text =
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  Result<Checkpoint> c = ParseCheckpoint(text);
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->origin == "example.com/behind-the-sofa");
  CHECK(c->size == 20852163);
  CHECK(c->root[0] == 0x0a);
  CHECK(CheckpointText(*c) == text);
  CHECK(ParseCheckpoint("o\n0\n" + text.substr(text.find("CsUY"))).ok());
  CHECK(ParseCheckpoint("o\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
            .status()
            .message() ==
        "the checkpoint's second line is not a tree size (decimal, no leading zeroes)");
  CHECK(ParseCheckpoint("o\n12\nCsUY\n").status().message() ==
        "the checkpoint's third line is not a base64 SHA-256 root");
  CHECK(
      ParseCheckpoint("\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n").status().message() ==
      "the checkpoint's origin line is empty");
  CHECK(!ParseCheckpoint("o\n12\n").ok());
  CHECK(!ParseCheckpoint(text.substr(0, text.size() - 1)).ok());
}

}  // namespace
}  // namespace pathways::audit::note
