package org.egress25.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import java.time.Duration;
import java.time.Instant;
import org.egress25.decision.Decision;
import org.egress25.decision.DecisionJson;
import org.egress25.decision.Source;
import org.junit.jupiter.api.Test;

class DecisionJsonTest
{
    private static final Instant T0 = Instant.parse("2026-11-28T01:22:00Z");

    @Test
    void shouldWriteTheDecisionsLogShapeInItsFieldOrder()
    {
        final String json = DecisionJson.toJson(Decisions.block("2001:db8::5", T0, Duration.ofHours(1)));

        assertThat(json).isEqualTo("{\"time\":\"2026-11-28T01:22:00Z\",\"host\":\"2001:db8::5\",\"action\":\"block\","
            + "\"rule\":\"relay-attempts-1m\",\"reason\":\"212 port-25 attempts in 1 min (limit 20)\","
            + "\"expires\":\"2026-11-28T02:22:00Z\",\"evidence\":{\"attempts\":212},\"source\":\"detector\",\"strikes\":1}");
    }

    @Test
    void shouldWriteNullNotOmitExpiresForAnUnblock()
    {
        assertThat(DecisionJson.toJson(Decisions.unblock("10.0.0.5", T0)))
            .contains("\"action\":\"unblock\"", "\"expires\":null", "\"source\":\"manual\"");
    }

    @Test
    void shouldListAnActiveBlockWithEverythingTheAbuseDeskAsksFor()
    {
        final ActiveBlock block = new ActiveBlock("10.0.0.5", "manual", "ticket 4711", T0, null, 2, Source.MANUAL);

        assertThat(block.toJson()).isEqualTo("{\"host\":\"10.0.0.5\",\"rule\":\"manual\",\"reason\":"
            + "\"ticket 4711\",\"since\":\"2026-11-28T01:22:00Z\",\"expires\":null,\"strikes\":2,\"source\":\"manual\"}");
    }

    @Test
    void shouldReadBackWhatItWrote()
    {
        final Decision decision = Decisions.block("10.0.0.5", T0, Duration.ofMinutes(90));

        assertThat(DecisionJson.fromJson(DecisionJson.toJson(decision))).isEqualTo(decision);
    }

    @Test
    void shouldNameTheBadFieldWhenReading()
    {
        assertThatThrownBy(() -> DecisionJson.fromJson("{\"time\":\"yesterday\"}"))
            .hasMessageContaining("'time' is not an ISO-8601 time");
        assertThatThrownBy(() -> DecisionJson.fromJson("{\"time\":\"2026-11-28T01:22:00Z\"}"))
            .hasMessageContaining("'host' is missing");
        assertThatThrownBy(() -> DecisionJson.fromJson("[1,2]")).hasMessageContaining("not a JSON object");
    }
}
