package org.egress25.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.egress25.host.Addresses;
import org.egress25.host.Cidr;
import org.junit.jupiter.api.Test;

class ExemptionsTest
{
    private static final Instant EXPIRY = Instant.parse("2027-01-31T00:00:00Z");

    private final Exemptions exemptions = new Exemptions(List.of(
        new Exemption(Exemption.Kind.SOURCE, Cidr.parse("203.0.113.0/28"), EXPIRY, "CUST-1", null, "e.yaml:3"),
        new Exemption(Exemption.Kind.SOURCE, Cidr.parse("2001:db8:2000::/48"), null, null, null, "e.yaml:6"),
        new Exemption(Exemption.Kind.DESTINATION, Cidr.parse("192.0.2.25/32"), null, null, "smarthost", "e.yaml:8")));

    @Test
    void shouldMatchEachKindOnlyAgainstItsOwnEndAndFamily()
    {
        final long now = Exemptions.toEpochNanos(Instant.parse("2026-12-01T00:00:00Z"));
        final long[] customer = Addresses.parse("203.0.113.15");
        final long[] v6Customer = Addresses.parse("2001:db8:2000:ff::1");
        final long[] smarthost = Addresses.parse("192.0.2.25");

        assertThat(exemptions.sourceExempt(customer[0], customer[1], now)).isTrue();
        assertThat(exemptions.sourceExempt(v6Customer[0], v6Customer[1], now)).isTrue();
        assertThat(exemptions.sourceExempt(v6Customer[0], v6Customer[1], Long.MAX_VALUE - 1)).as("no expiry").isTrue();
        assertThat(exemptions.sourceExempt(smarthost[0], smarthost[1], now)).isFalse();
        assertThat(exemptions.destinationExempt(smarthost[0], smarthost[1], now)).isTrue();
        assertThat(exemptions.destinationExempt(customer[0], customer[1], now)).isFalse();
        assertThat(exemptions.expired(EXPIRY)).extracting(Exemption::ticket).containsExactly("CUST-1");
        assertThat(exemptions.list()).hasSize(3);
    }

    @Test
    void shouldAskExemptionsAndClassesWithoutAllocating() throws Exception
    {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof ThreadMXBean,
            "needs HotSpot's per-thread allocation counter");
        final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        final Policy policy = PolicyLoader.load(Path.of("rules"));
        final long[] host = Addresses.parse("100.64.7.7");
        final long[] server = Addresses.parse("192.0.2.25");
        final long now = Exemptions.toEpochNanos(Instant.parse("2026-12-01T00:00:00Z"));
        int hits = 0;
        for (int i = 0; i < 200_000; i++)
        {
            hits += probe(policy, host, server, now + i);
        }

        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000_000; i++)
        {
            hits += probe(policy, host, server, now + i);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(hits).isEqualTo(3 * 1_200_000);
        assertThat(allocated).as("bytes allocated over a million lookups").isLessThan(1024);
    }

    private static int probe(final Policy policy, final long[] host, final long[] server, final long now)
    {
        int hits = policy.classify(host[0], host[1]) != null ? 1 : 0;
        hits += policy.exemptions().destinationExempt(server[0], server[1], now) ? 1 : 0;
        hits += policy.exemptions().sourceExempt(host[0], host[1], now) ? 0 : 1;
        return hits;
    }
}
