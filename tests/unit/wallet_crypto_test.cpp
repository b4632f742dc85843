#define BOOST_TEST_MODULE wallet_crypto
#include <boost/test/unit_test.hpp>

#include "actors/auth/eth.hpp"
#include "actors/auth/keccak.hpp"
#include "actors/auth/solana.hpp"

// Vectors from ../shared/research/test-vectors.md (made with ethers 6,
// tweetnacl and bs58) and RFC 8032.
using namespace sg;

namespace {
std::string hex(const eth::hash256& h) { return eth::to_hex(h.data(), h.size()); }
std::vector<uint8_t> bytes(const std::string& hex) { return *eth::from_hex(hex); }
const std::string signer = "0xFFcf8FDEE72ac11b5c542428B35EEF5769C409f0";
}  // namespace

BOOST_AUTO_TEST_CASE(keccak256_vectors) {
  BOOST_TEST(hex(eth::keccak256("")) ==
             "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  BOOST_TEST(hex(eth::keccak256("abc")) ==
             "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  // Longer than one 136-byte block (checked against ethers' keccak256).
  BOOST_TEST(hex(eth::keccak256(std::string(200, 'a'))) ==
             "0x96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d");
}

BOOST_AUTO_TEST_CASE(eip55_checksums) {
  auto a = eth::parse_address(signer);
  BOOST_REQUIRE(a);
  BOOST_TEST(eth::checksummed(*a) == signer);
  // The EIP-55 specification's own examples.
  for (const char* s : {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
                        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"})
    BOOST_TEST(eth::checksummed(*eth::parse_address(s)) == s);
  BOOST_TEST(eth::parse_address("0xffcf8fdee72ac11b5c542428b35eef5769c409f0").has_value());  // all lower
  BOOST_TEST(!eth::parse_address("0xFFcf8FDEE72ac11b5c542428B35EEF5769C409F0"));  // bad checksum
  BOOST_TEST(!eth::parse_address("0xFFcf8FDEE72ac11b5c542428B35EEF5769C409"));    // short
  BOOST_TEST(!eth::parse_address("FFcf8FDEE72ac11b5c542428B35EEF5769C409f0aa"));  // no 0x
}

BOOST_AUTO_TEST_CASE(eip191_personal_sign) {
  auto h = eth::personal_message_hash("hello");
  BOOST_TEST(hex(h) == "0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750");
  auto sig = bytes("0xa489a7663a6a3c75170bcee4746048792ebb2d89aeaa1b5f62ad268d7088097c3f72594e8f8ca81452767ec829668effc769414a560cc63feaad18e3ab668b651c");
  BOOST_TEST(eth::checksummed(*eth::recover(h, sig)) == signer);
  // The same signature over "hellO" recovers someone else.
  BOOST_TEST(eth::checksummed(*eth::recover(eth::personal_message_hash("hellO"), sig)) ==
             "0x9Bb0988653052797c431c687D9eFAb3086f7604b");
  auto text = std::string("Sign in to StreamBackend\nnonce: 8f3b2a91c4d5e6f7");
  BOOST_TEST(hex(eth::personal_message_hash(text)) ==
             "0xfd5a02ab58edd8352f2621ae140cd3dc6908abfced53e8e0b58e9c6d0f5c511f");
  auto sig2 = bytes("0xd54e8131398dd269a2d16bb7eea7b8fde8d3d96d2d021e5eb61cc834099326c611d4fd9da022182ab1ecde27914fbc9d51c5ff023bdf47450f034045af031e071b");
  BOOST_TEST(eth::checksummed(*eth::recover(eth::personal_message_hash(text), sig2)) == signer);
}

BOOST_AUTO_TEST_CASE(signature_forms_and_malleability) {
  auto h = eth::personal_message_hash("hello");
  auto sig = bytes("0xa489a7663a6a3c75170bcee4746048792ebb2d89aeaa1b5f62ad268d7088097c3f72594e8f8ca81452767ec829668effc769414a560cc63feaad18e3ab668b651c");
  auto zero_one = sig;
  zero_one[64] -= 27;  // v as 0/1
  BOOST_TEST(eth::checksummed(*eth::recover(h, zero_one)) == signer);
  eth::recover_error why;
  auto bad_v = sig;
  bad_v[64] = 29;
  BOOST_TEST(!eth::recover(h, bad_v, &why));
  BOOST_TEST((why == eth::recover_error::bad_v));
  // s' = n - s is the same signature, mirrored: valid math, refused (EIP-2).
  auto high = sig;
  const uint8_t n[32] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                         0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48,
                         0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41};
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = n[i] - sig[32 + i] - borrow;
    borrow = d < 0;
    high[32 + i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
  }
  high[64] = sig[64] == 27 ? 28 : 27;
  BOOST_TEST(!eth::recover(h, high, &why));
  BOOST_TEST((why == eth::recover_error::high_s));
  BOOST_TEST(!eth::recover(h, std::vector<uint8_t>(64, 1), &why));
  BOOST_TEST((why == eth::recover_error::malformed));
}

BOOST_AUTO_TEST_CASE(eip712_login_digest) {
  eth::login_domain d{"StreamBackend", "1", 1337,
                      eth::parse_address("0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC")};
  auto digest = eth::login_digest(d, *eth::parse_address(signer), "k9Qd3x7Lp2Zr4Tn8", 1735689600);
  BOOST_TEST(hex(digest) == "0x04f0edb44c2da07ae994e26cfe345fabd97ca7f2084b70d88acf487ad8cd73b3");
  auto sig = bytes("0xd739eb1ff925d06a49fe0b0d1ec3860bfbff22123ef1c8b7f6dd764794aea2cd54368732895d13a0123a1efa715610911219208cab15833a1ddcaeeadc989f091b");
  BOOST_TEST(eth::checksummed(*eth::recover(digest, sig)) == signer);
}

BOOST_AUTO_TEST_CASE(base58_vectors) {
  auto pub = bytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  BOOST_TEST(solana::base58_encode(pub) == "FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z");
  BOOST_TEST(*solana::base58_decode("FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z") == pub);
  BOOST_TEST(solana::base58_encode({0, 0, 1}) == "112");
  BOOST_TEST(*solana::base58_decode("112") == (std::vector<uint8_t>{0, 0, 1}));
  BOOST_TEST(solana::base58_encode({}) == "");
  BOOST_TEST(!solana::base58_decode("0OIl"));  // not in the alphabet
}

BOOST_AUTO_TEST_CASE(ed25519_vectors) {
  // RFC 8032, test 1: the empty message.
  auto pub = bytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  auto sig = bytes("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  BOOST_TEST(solana::verify_ed25519(pub, "", sig));
  BOOST_TEST(!solana::verify_ed25519(pub, "x", sig));
  // A sign-in text, keys and signature in base58 as wallets send them.
  auto key = *solana::base58_decode("AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9");
  auto s = *solana::base58_decode(
    "3EfHE6GSu9MSWCD9nNoqREU2ZcnFrg8iLZvTSyCBNB7wwzXrGUsguN8i23RtZUUh5uYeeeVipQoRFEKB3Lq1PRZs");
  std::string text = "localhost:8080 wants you to sign in with your Solana account:\n"
                     "AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9\n\nNonce: k9Qd3x7Lp2Zr4Tn8";
  BOOST_TEST(solana::verify_ed25519(key, text, s));
  BOOST_TEST(!solana::verify_ed25519(pub, text, s));
}
