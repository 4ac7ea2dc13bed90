package org.egress25.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.Source;
import org.junit.jupiter.api.Test;

class PolicyComparisonTest
{
    private static final Instant T = Instant.parse("2026-03-02T09:00:00Z");

    @Test
    void shouldListAHostAlertedUnderOnePolicyOnlyOrByAnotherRule()
    {
        final List<Decision> a = List.of(alert("10.0.0.1", "smtp-helo-ip-literal"), alert("10.0.0.2", "sprt"),
            alert("10.0.0.3", "sprt"));
        final List<Decision> b = List.of(alert("10.0.0.2", "smtp-many-helos"), alert("10.0.0.3", "sprt"),
            alert("10.0.0.4", "sprt"));

        final PolicyComparison comparison = PolicyComparison.compare(a, b);

        assertThat(comparison.differences()).extracting(PolicyComparison.Difference::host)
            .containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.4");
        assertThat(comparison.toText("A", "B")).contains("alerts on 3").contains("3 host(s) differ")
            .contains("A: alert (smtp-helo-ip-literal)").contains("B: alert (smtp-many-helos)");
        @SuppressWarnings("unchecked")
        final Map<String, Object> first = (Map<String, Object>)((List<Object>)comparison.toMap("A", "B")
            .get("differences")).get(0);
        assertThat(first).containsEntry("host", "10.0.0.1");
        assertThat(comparison.toMap("A", "B")).containsEntry("alerted_a", 3).containsEntry("alerted_b", 3);
    }

    private static Decision alert(final String host, final String rule)
    {
        return new Decision(T, host, Action.ALERT, rule, "why", null, Map.of(), Source.DETECTOR, 0);
    }
}
