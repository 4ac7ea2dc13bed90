package org.egress25.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.egress25.enforce.NetnsLab.BLOCKED4;
import static org.egress25.enforce.NetnsLab.BLOCKED6;
import static org.egress25.enforce.NetnsLab.CLEAN4;
import static org.egress25.enforce.NetnsLab.SERVER4;
import static org.egress25.enforce.NetnsLab.SERVER6;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.Source;
import org.egress25.enforce.NetnsLab.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EnforcerServiceTest
{
    private static final Duration MEMORY = Duration.ofDays(7);

    @TempDir
    Path dir;

    /** Remembers each batch and what the journal file held when the batch arrived. */
    private static final class RecordingEnforcer implements Enforcer
    {
        final List<List<Decision>> batches = new CopyOnWriteArrayList<>();
        final List<String> journalAtApply = new CopyOnWriteArrayList<>();
        private final Path journal;

        RecordingEnforcer(final Path journal)
        {
            this.journal = journal;
        }

        @Override
        public String name()
        {
            return "recording";
        }

        @Override
        public void start()
        {
        }

        @Override
        public void apply(final List<Decision> batch)
        {
            batches.add(List.copyOf(batch));
            try
            {
                journalAtApply.add(Files.readString(journal));
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close()
        {
        }
    }

    private BlockJournal journal() throws IOException
    {
        return BlockJournal.open(dir.resolve("blocks.jsonl"), MEMORY, 1000, Clock.systemUTC());
    }

    @Test
    void shouldMakeEachBlockDurableBeforeTheEnforcerSeesIt() throws Exception
    {
        final RecordingEnforcer enforcer = new RecordingEnforcer(dir.resolve("blocks.jsonl"));
        try (EnforcerService service = new EnforcerService(enforcer, journal(), MEMORY, 100, Clock.systemUTC()))
        {
            service.start();
            final Decision manual = service.block("10.0.0.5", Duration.ofHours(2), "ticket 4711");

            assertThat(enforcer.batches).singleElement().isEqualTo(List.of(manual));
            assertThat(enforcer.journalAtApply).singleElement().asString()
                .contains("\"event\":\"block\"", "\"host\":\"10.0.0.5\"", "ticket 4711");
            assertThat(manual.source()).isEqualTo(Source.MANUAL);
            assertThat(manual.rule()).isEqualTo("manual");
            assertThat(manual.expires()).isEqualTo(manual.time().plus(Duration.ofHours(2)));
        }
    }

    @Test
    void shouldGiveAManualBlockTheNextStrikeAndKeepTheHistoryOnUnblock() throws Exception
    {
        try (EnforcerService service = new EnforcerService(new NoopEnforcer(), journal(), MEMORY, 100, Clock.systemUTC()))
        {
            service.start();
            service.submit(Decisions.block("2001:db8::5", Instant.now(), Duration.ofHours(1)));
            assertThat(service.block("2001:DB8:0:0::5", Duration.ofHours(3), "extend").strikes())
                .as("extending an active block is not a new offence").isEqualTo(1);
            assertThat(service.activeBlocks(true)).isEqualTo(1);
            assertThat(service.activeBlocks(false)).isZero();

            final Decision unblock = service.unblock("2001:db8::5", "customer cleaned the PC");

            assertThat(unblock.action()).isEqualTo(Action.UNBLOCK);
            assertThat(unblock.expires()).isNull();
            assertThat(service.store().active("2001:db8::5", Instant.now())).isEmpty();
            assertThat(service.activeBlocks(true)).isZero();
            assertThat(service.block("2001:db8::5", Duration.ofHours(1), "again").strikes()).isEqualTo(2);
            assertThat(service.applied())
                .containsEntry(new EnforcerService.CounterKey(Action.BLOCK, "relay-attempts-1m", Source.DETECTOR), 1L)
                .containsEntry(new EnforcerService.CounterKey(Action.BLOCK, "manual", Source.MANUAL), 2L)
                .containsEntry(new EnforcerService.CounterKey(Action.UNBLOCK, "manual", Source.MANUAL), 1L);
        }
    }

    @Test
    void shouldDropAndCountDecisionsWhenTheQueueIsFullWithoutBlockingTheCaller() throws Exception
    {
        final EnforcerService service = new EnforcerService(new NoopEnforcer(), null, MEMORY, 2, Clock.systemUTC());
        final Decision decision = Decisions.block("10.0.0.5", Instant.now(), Duration.ofHours(1));
        final List<Boolean> accepted = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            accepted.add(service.submit(decision));   // not started: nothing drains the queue
        }

        assertThat(accepted).containsExactly(true, true, false);
        assertThat(service.dropped()).isEqualTo(1);
        assertThat(service.queueDepth()).isEqualTo(2);
        assertThatThrownBy(() -> service.block("10.0.0.6", Duration.ofHours(1), "x"))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("not running");

        service.start();
        service.close();
        assertThat(service.queueDepth()).as("close applies what was queued").isZero();
        assertThat(service.activeBlocks(false)).isEqualTo(1);
    }

    @Test
    void shouldTellTheOperatorWhatIsWrongWithTheirBlock() throws Exception
    {
        try (EnforcerService service = new EnforcerService(new NoopEnforcer(), null, MEMORY, 10, Clock.systemUTC()))
        {
            assertThatThrownBy(() -> service.block("mail.example.com", Duration.ofHours(1), "x"))
                .hasMessageContaining("is not an IPv4 or IPv6 address");
            assertThatThrownBy(() -> service.block("10.0.0.5", Duration.ZERO, "x"))
                .hasMessageContaining("block duration must be positive");
        }
    }

    @Test
    void shouldPutEveryBlockBackWhenItsTableWasDeletedUnderIt() throws Exception
    {
        assumeTrue(NetnsLab.available(), "needs root, ip, nft and python3");
        try (NetnsLab lab = NetnsLab.create())
        {
            final NftablesEnforcer enforcer = new NftablesEnforcer(NftablesConfig.builder().nftCommand(lab.nft()).build());
            try (EnforcerService service = new EnforcerService(enforcer, journal(), MEMORY, 100, Clock.systemUTC()))
            {
                service.start();
                service.block(BLOCKED4, Duration.ofMinutes(10), "first");
                service.block(BLOCKED6, Duration.ofMinutes(10), "second");
                lab.nftScript("delete table inet egress25\n");
                assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.OPEN);

                service.block(CLEAN4, Duration.ofMinutes(10), "third, whose batch finds the table gone");

                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (elementCount(enforcer) < 3 && deadline - System.nanoTime() > 0)
                {
                    Thread.sleep(100);
                }
                assertThat(enforcer.listElements()).extracting(KernelElement::host)
                    .containsExactlyInAnyOrder(BLOCKED4, BLOCKED6, CLEAN4);
                assertThat(service.lastReconcile().readded()).contains(BLOCKED4, BLOCKED6);
                assertThat(service.errors()).isPositive();
                assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);
                assertThat(lab.connect(BLOCKED6, SERVER6, 25, 5)).isEqualTo(Outcome.REFUSED);
            }
        }
    }

    @Test
    void shouldEnforceBlocksDecidedWhileNftWasUnavailableOnceItComesBack() throws Exception
    {
        assumeTrue(NetnsLab.available(), "needs root, ip, nft and python3");
        try (NetnsLab lab = NetnsLab.create())
        {
            final Path healthy = dir.resolve("healthy");
            final Path wrapper = lab.flakyNft(dir, healthy, "nft: Operation not permitted");
            final NftablesEnforcer enforcer = new NftablesEnforcer(
                NftablesConfig.builder().nftCommand(List.of(wrapper.toString())).build());
            try (EnforcerService service = new EnforcerService(enforcer, journal(), MEMORY, 100, Clock.systemUTC()))
            {
                final ReconcileReport report = service.start();
                assertThat(report.applied()).isFalse();
                assertThat(report.error()).contains("Operation not permitted");
                assertThat(service.enforcerStarted()).isFalse();

                service.block(BLOCKED4, Duration.ofMinutes(10), "decided while nft was failing");
                assertThat(service.store().active(BLOCKED4, Instant.now())).isPresent();
                assertThat(service.errors()).isPositive();
                assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.OPEN);

                Files.createFile(healthy);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!service.enforcerStarted() && deadline - System.nanoTime() > 0)
                {
                    Thread.sleep(50);
                }

                assertThat(service.enforcerStarted()).isTrue();
                assertThat(service.lastReconcile().readded()).containsExactly(BLOCKED4);
                assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);
            }
        }
    }

    /** Elements in the kernel sets, or -1 while the table is missing. */
    private static int elementCount(final NftablesEnforcer enforcer)
    {
        try
        {
            return enforcer.listElements().size();
        }
        catch (final EnforcerException e)
        {
            return -1;
        }
    }
}
