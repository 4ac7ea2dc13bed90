package org.egress25.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.egress25.decision.Decision;
import org.egress25.decision.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockJournalTest
{
    private static final Duration MEMORY = Duration.ofDays(7);
    private static final Instant T0 = Instant.parse("2026-11-28T01:00:00Z");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);

    private BlockJournal open() throws IOException
    {
        return BlockJournal.open(dir.resolve("blocks.jsonl"), MEMORY, 1000, clock);
    }

    private static void record(final BlockJournal journal, final Decision... decisions) throws IOException
    {
        journal.record(List.of(decisions));
    }

    @Test
    void shouldRestoreActiveBlocksAndStrikesAfterReopen() throws IOException
    {
        try (BlockJournal journal = open())
        {
            record(journal, Decisions.block("10.0.0.5", T0, Duration.ofHours(1)),
                Decisions.block("2001:db8::5", T0, Duration.ofMinutes(10)), Decisions.alert("10.0.0.9", T0));
        }
        clock.advance(Duration.ofMinutes(20));

        try (BlockJournal journal = open())
        {
            final BlockStore store = journal.store();
            assertThat(store.activeBlocks(clock.instant())).singleElement().satisfies(block ->
            {
                assertThat(block.host()).isEqualTo("10.0.0.5");
                assertThat(block.rule()).isEqualTo("relay-attempts-1m");
                assertThat(block.since()).isEqualTo(T0);
                assertThat(block.expires()).isEqualTo(T0.plus(Duration.ofHours(1)));
                assertThat(block.source()).isEqualTo(Source.DETECTOR);
            });
            assertThat(journal.expiredWhileDown()).extracting(ActiveBlock::host).containsExactly("2001:db8::5");
            assertThat(store.strikesWithin("2001:db8::5", clock.instant(), MEMORY)).isEqualTo(1);
            assertThat(store.strikesWithin("10.0.0.9", clock.instant(), MEMORY)).as("alerts are no strikes").isZero();
            assertThat(journal.replayStats().records()).isEqualTo(2);
        }
    }

    @Test
    void shouldRestoreABlockOfAnIpv6PrefixAfterReopen() throws IOException
    {
        try (BlockJournal journal = open())
        {
            record(journal, Decisions.block("2001:db8:1:2::/64", T0, Duration.ofHours(1)));
        }
        clock.advance(Duration.ofMinutes(20));

        try (BlockJournal journal = open())
        {
            assertThat(journal.store().activeBlocks(clock.instant())).extracting(ActiveBlock::host)
                .containsExactly("2001:db8:1:2::/64");
        }
    }

    @Test
    void shouldKeepTheStrikeHistoryWhenAHostIsUnblocked() throws IOException
    {
        try (BlockJournal journal = open())
        {
            record(journal, Decisions.block("10.0.0.5", T0, Duration.ofHours(1)));
            clock.advance(Duration.ofMinutes(5));
            record(journal, Decisions.unblock("10.0.0.5", clock.instant()));
            assertThat(journal.store().active("10.0.0.5", clock.instant())).isEmpty();
        }
        try (BlockJournal journal = open())
        {
            final BlockStore store = journal.store();
            assertThat(store.active("10.0.0.5", clock.instant())).isEmpty();
            assertThat(store.strikesWithin("10.0.0.5", clock.instant(), MEMORY)).isEqualTo(1);
            // the strike ended at the unblock, so it is forgotten MEMORY after that, not after the planned expiry
            assertThat(store.strikesWithin("10.0.0.5", T0.plus(Duration.ofMinutes(5)).plus(MEMORY), MEMORY)).isZero();
        }
    }

    @Test
    void shouldCountRepeatOffencesAcrossRestarts() throws IOException
    {
        for (int strike = 1; strike <= 3; strike++)
        {
            try (BlockJournal journal = open())
            {
                assertThat(journal.store().strikesWithin("10.0.0.5", clock.instant(), MEMORY)).isEqualTo(strike - 1);
                record(journal, Decisions.block("10.0.0.5", clock.instant(), Duration.ofHours(1)));
            }
            clock.advance(Duration.ofHours(2));
        }
        try (BlockJournal journal = open())
        {
            assertThat(journal.store().strikesWithin("10.0.0.5", clock.instant(), MEMORY)).isEqualTo(3);
            assertThat(journal.store().strikesWithin("10.0.0.5", clock.instant(), Duration.ofHours(2))).isEqualTo(1);
        }
        clock.advance(MEMORY);
        try (BlockJournal journal = open())
        {
            assertThat(journal.store().strikesWithin("10.0.0.5", clock.instant(), MEMORY)).isZero();
            assertThat(journal.recordCount()).as("forgotten strikes are compacted away").isZero();
        }
    }

    @Test
    void shouldSkipATornLastRecordAndStillStart() throws IOException
    {
        try (BlockJournal journal = open())
        {
            record(journal, Decisions.block("10.0.0.5", T0, Duration.ofHours(1)));
        }
        final byte[] torn = "{\"event\":\"block\",\"time\":\"2026-11-28T01:00:00Z\",\"reason\":\"Gr\u00fc"
            .getBytes(StandardCharsets.UTF_8);
        // cut inside the two-byte ü, as a crash mid-write can
        Files.write(dir.resolve("blocks.jsonl"), Arrays.copyOf(torn, torn.length - 1), StandardOpenOption.APPEND);

        try (BlockJournal journal = open())
        {
            assertThat(journal.replayStats().skipped()).isEqualTo(1);
            assertThat(journal.store().activeBlocks(clock.instant())).extracting(ActiveBlock::host)
                .containsExactly("10.0.0.5");
            assertThat(Files.readString(journal.file())).as("compaction drops the torn tail")
                .doesNotContain("Gr").endsWith("\n");
        }
    }

    @Test
    void shouldCompactOnceTheFileGrowsPastTheThreshold() throws IOException
    {
        try (BlockJournal journal = BlockJournal.open(dir.resolve("blocks.jsonl"), MEMORY, 10, clock))
        {
            for (int i = 0; i < 6; i++)
            {
                record(journal, Decisions.block("10.0.0.5", clock.instant(), Duration.ofMinutes(1)));
                clock.advance(Duration.ofSeconds(30));
                record(journal, Decisions.unblock("10.0.0.5", clock.instant()));
                clock.advance(Duration.ofSeconds(30));
            }
            record(journal, Decisions.block("10.0.0.7", clock.instant(), Duration.ofHours(1)));
            final List<String> lines = Files.readAllLines(journal.file());
            assertThat(lines.size()).isLessThanOrEqualTo(10);
            assertThat(journal.recordCount()).isEqualTo(lines.size());
        }
        try (BlockJournal journal = open())
        {
            assertThat(journal.store().strikesWithin("10.0.0.5", clock.instant(), MEMORY)).isEqualTo(6);
            assertThat(journal.store().activeBlocks(clock.instant())).extracting(ActiveBlock::host)
                .containsExactly("10.0.0.7");
        }
    }

    @Test
    void shouldExtendAnActiveBlockWithoutAddingAStrike() throws IOException
    {
        try (BlockJournal journal = open())
        {
            record(journal, Decisions.block("10.0.0.5", T0, Duration.ofHours(1)));
            clock.advance(Duration.ofMinutes(10));
            record(journal, Decisions.block("10.0.0.5", clock.instant(), Duration.ofHours(4)));
        }
        try (BlockJournal journal = open())
        {
            final ActiveBlock block = journal.store().active("10.0.0.5", clock.instant()).orElseThrow();
            assertThat(block.since()).isEqualTo(T0);
            assertThat(block.expires()).isEqualTo(T0.plus(Duration.ofMinutes(10)).plus(Duration.ofHours(4)));
            assertThat(journal.store().strikesWithin("10.0.0.5", clock.instant(), MEMORY)).isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseASecondWriterOfTheSameJournal() throws IOException
    {
        try (BlockJournal journal = open())
        {
            assertThat(journal.file()).exists();
            assertThatThrownBy(this::open).isInstanceOf(IOException.class)
                .hasMessageContaining("in use by another running egress25");
        }
    }

    /**
     * A garbage line, a stray comma in an active block's record, a record of "not-an-ip", a torn fragment with a
     * good record glued on, and non-canonical hosts: each damaged record costs itself alone, is reported by line,
     * the file as found is kept aside, and nothing stops the journal from opening.
     */
    @Test
    void shouldSkipEachDamagedRecordAloneReportItsLineKeepACopyAndCanonicaliseHosts() throws IOException
    {
        final String good = "{\"event\":\"block\",\"time\":\"2026-11-28T01:00:00Z\",\"host\":\"%s\",\"rule\":\"manual\","
            + "\"reason\":\"r\",\"expires\":\"2026-11-28T02:00:00Z\",\"source\":\"manual\",\"strikes\":1}";
        final String journalText = String.join("\n",
            String.format(good, "10.0.0.1"),
            "garbage line that is no JSON",
            String.format(good, "10.0.0.2").replace("\"rule\"", ",\"rule\""),
            String.format(good, "not-an-ip"),
            "{\"event\":\"block\",\"time" + String.format(good, "10.0.0.3"),
            String.format(good, "2001:DB8:10:0::0102"),
            String.format(good, "198.18.10.070"),
            "");
        Files.writeString(dir.resolve("blocks.jsonl"), journalText);

        try (BlockJournal journal = open())
        {
            assertThat(journal.store().activeBlocks(T0)).extracting(ActiveBlock::host)
                .containsExactlyInAnyOrder("10.0.0.1", "10.0.0.3", "2001:db8:10::102", "198.18.10.70");
            assertThat(journal.damage()).extracting(org.egress25.decision.JsonLines.Damage::number).containsExactly(2, 3, 4, 5);
            assertThat(journal.damage().get(2).why()).contains("'not-an-ip' is not an IP address");
            assertThat(journal.damage().get(3).why()).contains("torn fragment before a good record");
            assertThat(journal.replayStats().skipped()).isEqualTo(4);
            assertThat(journal.keptAside()).exists().hasContent(journalText);
            assertThat(journal.knows("10.0.0.2")).as("its record was damaged: the journal cannot account for it").isFalse();
        }
    }

    @Test
    void shouldReopenCleanlyWithoutKeepingACopyWhenNothingWasDamaged() throws IOException
    {
        try (BlockJournal journal = open())
        {
            record(journal, Decisions.block("10.0.0.5", T0, Duration.ofHours(1)));
        }
        try (BlockJournal journal = open())
        {
            assertThat(journal.damage()).isEmpty();
            assertThat(journal.keptAside()).isNull();
        }
        try (var files = Files.list(dir))
        {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(name -> name.contains("damaged"));
        }
    }
}
