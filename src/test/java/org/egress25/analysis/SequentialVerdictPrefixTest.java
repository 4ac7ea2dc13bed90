package org.egress25.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.host.HostKey;
import org.egress25.decision.Verdicts;
import org.egress25.host.Addresses;
import org.egress25.policy.BlockLadder;
import org.egress25.host.Cidr;
import org.egress25.policy.HostClass;
import org.egress25.policy.Policy;
import org.egress25.policy.Port25Mode;
import org.junit.jupiter.api.Test;

/** The sequential test of an IPv6 prefix: the observations of all its addresses, as one test. */
class SequentialVerdictPrefixTest
{
    private static final long T0 = SprtBench.T0;
    private static final long MINUTE = SprtBench.MINUTE;

    private final List<Decision> decisions = new ArrayList<>();
    private final HostClass home = new HostClass("home", Port25Mode.DETECT_THEN_BLOCK,
        List.of(Cidr.parse("2001:db8:1000::/36")), List.of());
    private final BlockLadder ladder = new BlockLadder(List.of(Duration.ofMinutes(10)), Duration.ofDays(30));
    private final Policy policy = Policy.builder().classes(List.of(home)).ladder(ladder).sprt(SprtBench.CHOSEN).build();
    private final SequentialVerdict sprt = new SequentialVerdict(() -> policy, new Verdicts(decisions::add, ladder),
        1 << 16);

    private void bad(final String address, final long now)
    {
        final long[] a = Addresses.parse(address);
        sprt.observeBad(a[0], a[1], home, SequentialVerdict.BAD_REJECTED, now);
    }

    @Test
    void shouldBlockThePrefixWhenItsRotatingAddressesTogetherFailTheTest()
    {
        // a bot takes a new temporary address every 3 sessions: no address gets near ten bad ones in a row
        long now = T0;
        for (int i = 0; i < 12; i++)
        {
            now += MINUTE;
            bad("2001:db8:1000:7:" + Integer.toHexString(0x100 + i / 3) + "::9", now);
        }

        assertThat(decisions).extracting(Decision::host, Decision::rule, Decision::action)
            .containsExactly(tuple("2001:db8:1000:7::/64", "sprt", Action.BLOCK));
        assertThat(decisions.get(0).reason()).startsWith("2001:db8:1000:7::/64 failed the sequential spambot test:"
            + " 10 of its addresses' last 10 SMTP attempts were bad");
        assertThat(decisions.get(0).evidence()).containsEntry("prefix_length", 64);
        assertThat(sprt.snapshot(HostKey.parse("2001:db8:1000:7::/64"), now).decided()).isTrue();
    }

    @Test
    void shouldBlockABotThatKeepsItsAddressAsTheAddressAndTakeItsObservationsOutOfThePrefix()
    {
        long now = T0;
        for (int i = 0; i < 10; i++)
        {
            now += MINUTE;
            bad("2001:db8:1000:7::9", now);
        }
        // another device of the LAN has one rejected session: far from a prefix verdict
        bad("2001:db8:1000:7::a", now + MINUTE);

        assertThat(decisions).extracting(Decision::host).containsExactly("2001:db8:1000:7::9");
        final SprtSnapshot prefix = sprt.snapshot(HostKey.parse("2001:db8:1000:7::/64"), now + MINUTE);
        assertThat(prefix.rejected()).isEqualTo(1);
        assertThat(prefix.decided()).isFalse();
    }

    @Test
    void shouldKeepTwoSlash64sApart()
    {
        long now = T0;
        for (int i = 0; i < 9; i++)
        {
            now += MINUTE;
            bad("2001:db8:1000:7::" + Integer.toHexString(i + 1), now);
            bad("2001:db8:1000:8::" + Integer.toHexString(i + 1), now);
        }

        assertThat(decisions).isEmpty();
        assertThat(sprt.corroboratesPrefix(Addresses.parse("2001:db8:1000:7::")[0], 64, now)).isTrue();
    }
}
