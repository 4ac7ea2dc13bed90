package org.egress25.synth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.egress25.host.Cidr;

/**
 * Writes a labelled capture of an inside network: the hosts of a {@link Scenario} doing what their kind does
 * (browsing, submitting mail, relaying, spamming, scanning), as real Ethernet/IP/TCP/UDP frames in a classic
 * pcap with microsecond timestamps, and the answer key beside it.
 *
 * <p>Hosts wait in a priority queue by the time of their next activity. The earliest one plays a whole
 * activity into the {@link Wire}, which holds packets until no host can emit anything earlier and then writes
 * them in time order. Memory stays bounded by what is in flight (a few thousand packets), so captures of any
 * length stream to disk.
 *
 * <p>Same scenario, same bytes: all randomness is split off the seed in a fixed order, and nothing reads the
 * clock or iterates a hash-ordered collection.
 */
public final class TrafficGenerator
{
    private static final Comparator<SimHost> BY_TIME =
        Comparator.comparingLong((SimHost h) -> h.nextMicros).thenComparingInt(h -> h.order);

    private final Scenario scenario;

    public TrafficGenerator(final Scenario scenario)
    {
        this.scenario = scenario;
    }

    /**
     * Writes the capture to {@code pcapOut} and its labels to {@code labels.json} in the same directory.
     *
     * @return the labels, one per inside host, in creation order
     */
    public Labels write(final Path pcapOut) throws IOException
    {
        final long start = micros(scenario.start());
        final long end = start + scenario.duration().toNanos() / 1_000;
        final SplittableRandom master = new SplittableRandom(scenario.seed());
        final Addressing addressing = new Addressing(scenario.inside());
        final List<SimHost> hosts = new ArrayList<>();
        final long window = Math.max(1, Math.min((end - start) / 4, 60 * SimHost.SECOND));
        for (final HostKind kind : HostKind.values())
        {
            for (int i = 0; i < scenario.count(kind); i++)
            {
                final SplittableRandom random = master.split();
                final long first = start + random.nextLong(window);
                final SimHost host = create(kind, i, addressing, random, hosts.size(), first);
                if (host != null)
                {
                    hosts.add(host);
                }
            }
        }
        if (scenario.backgroundPackets() > 0)
        {
            final int members = (int)Math.max(1, Math.min(4_000, scenario.backgroundPackets() / 500));
            hosts.add(new RatePool.Browsing(browsers(addressing, members), master.split(), addressing, hosts.size(),
                start, scenario.backgroundPackets(), end - start));
        }
        run(pcapOut, hosts, start, end, Long.MAX_VALUE, scenario.seed());
        final List<Label> labels = new ArrayList<>();
        for (final SimHost host : hosts)
        {
            host.labels(labels);
        }
        final Labels result = new Labels(labels);
        final Path parent = pcapOut.toAbsolutePath().getParent();
        result.write(parent.resolve("labels.json"));
        return result;
    }

    /**
     * The benchmark capture: exactly {@code packets} frames averaging ~560 bytes, at ~25,000 packets/s of capture
     * time. 70% web, DNS and QUIC from 2,000 browsing hosts; ~28% full mail sessions (relay on 25, STARTTLS on
     * 587, TLS on 465) from 300 mail hosts; 40 mass-senders each making ~400 port-25 attempts a minute.
     * No labels are written. 4 M packets (2.30 GB, mean 559 B, 30.2% on SMTP ports) cost 10.7 s of CPU.
     */
    public static void writeMixedBenchmark(final Path out, final long packets, final long seed) throws IOException
    {
        final long durationMicros = Math.max(10 * SimHost.SECOND, packets * SimHost.SECOND / 25_000);
        final long start = micros(Instant.parse("2026-11-28T08:00:00Z"));
        final SplittableRandom master = new SplittableRandom(seed);
        final Addressing addressing = new Addressing(
            List.of(Cidr.parse("10.0.0.0/16"), Cidr.parse("100.64.0.0/10"), Cidr.parse("2001:db8:100::/48")));
        final List<SimHost> hosts = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            final SplittableRandom random = master.split();
            hosts.add(new MassSender(addressing.inside(HostKind.MASS_SENDER, false, false), random, addressing,
                hosts.size(), start + random.nextLong(10 * SimHost.SECOND)));
        }
        final SmallMta[] mailHosts = new SmallMta[300];
        for (int i = 0; i < mailHosts.length; i++)
        {
            mailHosts[i] = new SmallMta(addressing.inside(HostKind.SMALL_MTA, false, false), master.split(), addressing,
                -1, SimHost.DONE);
        }
        hosts.add(new RatePool.Mail(mailHosts, master.split(), addressing, hosts.size(), start, packets * 28 / 100,
            durationMicros));
        hosts.add(new RatePool.Browsing(browsers(addressing, 2_000), master.split(), addressing, hosts.size(), start,
            packets * 70 / 100, durationMicros));
        run(out, hosts, start, start + 2 * durationMicros, packets, seed);
    }

    private static void run(final Path out, final List<SimHost> hosts, final long start, final long end,
        final long packetLimit, final long seed) throws IOException
    {
        try (PcapWriter writer = new PcapWriter(out))
        {
            final Wire wire = new Wire(writer, packetLimit);
            final Context context = new Context(wire, seed);
            final PriorityQueue<SimHost> due = new PriorityQueue<>(Math.max(1, hosts.size()), BY_TIME);
            due.addAll(hosts);
            while (!due.isEmpty() && !wire.full())
            {
                final SimHost host = due.poll();
                if (host.nextMicros >= end)
                {
                    continue;
                }
                host.step(context);
                if (host.nextMicros < end)
                {
                    due.add(host);
                }
                wire.flushBefore(due.isEmpty() ? Long.MAX_VALUE : due.peek().nextMicros);
            }
            wire.flushAll();
        }
        catch (final UncheckedIOException e)
        {
            throw e.getCause();
        }
    }

    private static SimHost create(final HostKind kind, final int index, final Addressing addressing,
        final SplittableRandom random, final int order, final long first)
    {
        switch (kind)
        {
            case WEB_USER:
                final boolean v6 = addressing.hasIpv6() && index % 3 == 2;
                return new WebUser(addressing.inside(kind, v6, false), random, addressing, order, first);
            case SUBMISSION_USER:
                return new SubmissionUser(addressing.inside(kind, false, false), random, addressing, order, first);
            case IMPLICIT_TLS_USER:
                return new ImplicitTlsUser(addressing.inside(kind, false, false), random, addressing, order, first);
            case NAT_OFFICE:
                return new NatOffice(addressing.inside(kind, false, true), random, addressing, order, first);
            case SMALL_MTA:
                return new SmallMta(addressing.inside(kind, false, false), random, addressing, order, first);
            case BUSINESS_MTA:
                return new BusinessMta(addressing.inside(kind, false, false), random, addressing, order, first);
            case MASS_SENDER:
                return new MassSender(addressing.inside(kind, false, false), random, addressing, order, first);
            case SLOW_SPAMBOT:
                return new SlowSpambot(addressing.inside(kind, false, false), random, addressing, order, first);
            case DIRECTORY_HARVESTER:
                return new DirectoryHarvester(addressing.inside(kind, false, false), random, addressing, order, first);
            case AUTH_BRUTE_FORCER:
                return new AuthBruteForcer(addressing.inside(kind, false, false), random, addressing, order, first);
            case PORT25_SCANNER:
                return new Port25Scanner(addressing.inside(kind, false, false), random, addressing, order, first);
            case IPV6_SPAMBOT:
                return new Ipv6Spambot(addressing.inside(kind, true, false), random, addressing, order, first);
            default:
                return createHarder(kind, addressing, random, order, first);
        }
    }

    /** The kinds of the harder test bed, each on the line it would have: business, CGNAT or home. */
    private static SimHost createHarder(final HostKind kind, final Addressing addressing,
        final SplittableRandom random, final int order, final long first)
    {
        final long business = Addressing.BUSINESS;
        final long home = Addressing.RESIDENTIAL;
        switch (kind)
        {
            case BUSY_BUSINESS_MTA:
                return new BusyBusinessMta(addressing.inside(kind, false, business), random, addressing, order, first);
            case NEWSLETTER_SERVER:
                return new NewsletterServer(addressing.inside(kind, false, business), random, addressing, order, first);
            case BACKUP_MX:
                return new BackupMx(addressing.inside(kind, false, business), random, addressing, order, first);
            case GREYLISTED_SENDER:
                return new GreylistedSender(addressing.inside(kind, false, business), random, addressing, order, first);
            case CGNAT_HOME_SERVER:
                return new CgnatHomeServer(addressing.inside(kind, false, true), random, addressing, order, first);
            case OFFICE_WITH_MTA:
                return new OfficeWithMta(addressing.inside(kind, false, business), random, addressing, order, first);
            case MISCONFIGURED_CLIENT:
                return new MisconfiguredClient(addressing.inside(kind, false, home), random, addressing, order, first);
            case LOW_AND_SLOW_BOT:
                return new LowAndSlowBot(addressing.inside(kind, false, home), random, addressing, order, first);
            case TLS_ONLY_BOT:
                return new TlsOnlyBot(addressing.inside(kind, false, home), random, addressing, order, first);
            case CGNAT_BOT:
                return new CgnatBot(addressing.inside(kind, false, true), random, addressing, order, first);
            case IPV6_ROTATING_BOT:
                return new Ipv6RotatingBot(addressing.inside(kind, true, false), random, addressing, order, first);
            case HIJACKED_MTA:
                return new HijackedMta(addressing.inside(kind, false, business), random, addressing, order, first);
            case MOSTLY_ACCEPTED_BOT:
                return new MostlyAcceptedBot(addressing.inside(kind, false, home), random, addressing, order, first);
            default:
                return null;
        }
    }

    /** Browsing hosts for a background pool; every fifth on IPv6 when there is an inside IPv6 prefix. */
    private static Node[] browsers(final Addressing addressing, final int count)
    {
        final Node[] nodes = new Node[count];
        for (int i = 0; i < count; i++)
        {
            nodes[i] = addressing.inside(HostKind.BACKGROUND, addressing.hasIpv6() && i % 5 == 4, false);
        }
        return nodes;
    }

    private static long micros(final Instant instant)
    {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }
}
