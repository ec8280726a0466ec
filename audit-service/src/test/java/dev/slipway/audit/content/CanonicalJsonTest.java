package dev.slipway.audit.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

  @Test
  void jsonAsPostgresqlJsonbGivesItBackHasTheSameCanonicalForm() throws Exception {
    String sent = "{\"b\":1.50,\"a\":[1e2,\"caf\\u00e9\",-0.0,12345678901234567890],\"c\":{}}";
    String jsonbText =
        "{\"a\": [100, \"café\", 0.0, 12345678901234567890], \"b\": 1.50, \"c\": {}}";

    assertThat(canonical(sent)).isEqualTo(canonical(jsonbText));
    assertThat(canonical(sent))
        .isEqualTo("{\"a\":[100,\"café\",0,12345678901234567890],\"b\":1.5,\"c\":{}}");
  }

  @Test
  void controlCharactersAndQuotesAreEscapedOneWayOnly() throws Exception {
    assertThat(canonical("[\"tab\\there \\\"q\\\" back\\\\slash\"]"))
        .isEqualTo("[\"tab\\u0009here \\\"q\\\" back\\\\slash\"]");
  }

  @Test
  void textPostgresqlCannotStoreIsDetected() throws Exception {
    assertThat(CanonicalJson.storable(parse("{\"a\":\"nul \\u0000 inside\"}"))).isFalse();
    assertThat(CanonicalJson.storable(parse("{\"a\":\"lone \\ud800 surrogate\"}"))).isFalse();
    assertThat(CanonicalJson.storable(parse("{\"a\":\"pair \\ud83d\\ude80 ok\"}"))).isTrue();
  }

  @Test
  void numbersBeyondTheStoredRangeAreRefusedBeforeTheirPlainFormIsWritten() throws Exception {
    // 1e2000000000 would be two billion zeros in plain notation; 1e131072 overflows numeric.
    assertThat(CanonicalJson.inRange(parse("[1e2000000000]"))).isFalse();
    assertThat(CanonicalJson.inRange(parse("{\"a\":1e131072}"))).isFalse();
    assertThat(CanonicalJson.inRange(parse("[1e-1001]"))).isFalse();
    assertThat(CanonicalJson.inRange(parse("[" + "9".repeat(1001) + "]"))).isFalse();
    assertThatThrownBy(() -> canonical("[1e2000000000]"))
        .isInstanceOf(IllegalArgumentException.class);
    // The edges still fit, and read back from PostgreSQL's plain form they are the same.
    assertThat(CanonicalJson.inRange(parse("[1e1000, -1e-1000, " + "9".repeat(1000) + "]")))
        .isTrue();
    String plain = "1" + "0".repeat(1000);
    assertThat(canonical("[1e1000]")).isEqualTo("[" + plain + "]");
    assertThat(canonical("[" + plain + "]")).isEqualTo("[" + plain + "]");
    assertThat(canonical("[-0.000" + "0".repeat(996) + "1]")).isEqualTo(canonical("[-1e-1000]"));
  }

  @Test
  void oneWalkFindsANumberOutOfRangeBeforeTextThatCannotBeStored() throws Exception {
    assertThat(CanonicalJson.fault(parse("{\"a\":\"nul \\u0000\",\"b\":[1e2000]}")))
        .isEqualTo(CanonicalJson.Fault.NUMBER_OUT_OF_RANGE);
    assertThat(CanonicalJson.fault(parse("{\"nul \\u0000\":{\"x\":1e-2000}}")))
        .isEqualTo(CanonicalJson.Fault.NUMBER_OUT_OF_RANGE);
    assertThat(CanonicalJson.fault(parse("{\"nul \\u0000\":1}")))
        .isEqualTo(CanonicalJson.Fault.UNSTORABLE_TEXT);
    assertThat(CanonicalJson.fault(parse("[\"lone \\ud800\"]")))
        .isEqualTo(CanonicalJson.Fault.UNSTORABLE_TEXT);
    assertThat(CanonicalJson.fault(parse("{\"a\":[1.5,\"ok\",12345678901234567890123]}"))).isNull();
  }

  @Test
  void integersOfAnySizeAndFractionsAreWrittenExactly() throws Exception {
    assertThat(canonical("[0, -0, 7, -12, 9223372036854775808, 1.50, 1e2, -0.0, 2.5E-3]"))
        .isEqualTo("[0,0,7,-12,9223372036854775808,1.5,100,0,0.0025]");
    assertThat(canonical("[9223372036854775807, -9223372036854775808, -9223372036854775809, 10]"))
        .isEqualTo("[9223372036854775807,-9223372036854775808,-9223372036854775809,10]");
  }

  private static String canonical(String json) throws Exception {
    return CanonicalJson.write(parse(json));
  }

  private static com.fasterxml.jackson.databind.JsonNode parse(String json) throws Exception {
    return CanonicalJson.parse(json.getBytes(StandardCharsets.UTF_8));
  }
}
