#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "src/codec.hpp"

using namespace logbase;
namespace bdata = boost::unit_test::data;

BOOST_AUTO_TEST_SUITE(codec_test)

BOOST_AUTO_TEST_CASE(long_keys_are_eight_bytes_big_endian) {
  auto key = encode_long_key(0x0102030405060708);
  BOOST_TEST(key == std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  BOOST_TEST(encode_long_key(1) == std::string("\0\0\0\0\0\0\0\x01", 8));
  BOOST_TEST(encode_long_key(-1) == std::string(8, '\xff'));
}

BOOST_DATA_TEST_CASE(long_keys_round_trip,
                     bdata::make({int64_t{0}, int64_t{1}, int64_t{255},
                                  int64_t{256}, int64_t{1} << 53, INT64_MAX,
                                  INT64_MIN, int64_t{-42}}),
                     id) {
  BOOST_TEST(decode_long_key(encode_long_key(id)).value() == id);
}

BOOST_AUTO_TEST_CASE(keys_of_other_sizes_do_not_decode) {
  BOOST_TEST(!decode_long_key("").has_value());
  BOOST_TEST(!decode_long_key("1234567").has_value());
  BOOST_TEST(!decode_long_key("123456789").has_value());
}

// Kafka's own vectors: UtilsTest.testMurmur2 in the Java client.
BOOST_DATA_TEST_CASE(
  murmur2_matches_the_java_client,
  bdata::make({std::string{"21"}, std::string{"foobar"},
               std::string{"a-little-bit-long-string"},
               std::string{"a-little-bit-longer-string"},
               std::string{"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"},
               std::string{"abc"}})
    ^ bdata::make({-973932308, -790332482, -985981536, -1486304829, -58897971,
                   479470107}),
  input, expected) {
  BOOST_TEST(murmur2(input) == expected);
}

BOOST_AUTO_TEST_CASE(partition_is_the_positive_hash_modulo_partitions) {
  // toPositive(-973932308) % 10 as the Java client computes it.
  int64_t positive = static_cast<uint32_t>(-973932308) & 0x7fffffff;
  BOOST_TEST(partition_for("21", 10) == positive % 10);
  for (int64_t id = 1; id < 200; ++id) {
    auto p = partition_for(encode_long_key(id), 4);
    BOOST_TEST((p >= 0 && p < 4));
  }
}

BOOST_AUTO_TEST_SUITE_END()
