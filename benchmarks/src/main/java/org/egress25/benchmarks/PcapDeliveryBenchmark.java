package org.egress25.benchmarks;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.concurrent.TimeUnit;
import org.egress25.synth.TrafficGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.core.RawPacketListener;

/**
 * What libpcap's delivery of a packet to Java costs, per packet, through pcap4j and without it.
 *
 * <p>The live capture thread gets each frame from libpcap's callback. Over a capture file libpcap delivers
 * through the same {@code pcap_loop}/{@code pcap_dispatch} callback as over a live socket, so an offline handle
 * on {@link #PACKETS} frames of the benchmark mix (written once in {@code @Setup}) measures pcap4j's per-packet
 * path without root or traffic. Each frame is copied into one pre-allocated buffer, as the capture thread
 * copies it into a ring slot, and its timestamp and wire length are read as {@code LiveSource} reads them.
 *
 * <ul>
 *   <li>{@code pcap4jLoop}: {@code PcapHandle.loop} with a {@link RawPacketListener}, today's live path;</li>
 *   <li>{@code pcap4jDispatch}: {@code PcapHandle.dispatch} in batches, the same callback;</li>
 *   <li>{@code foreignNextEx}: libpcap's {@code pcap_next_ex} called through the Java 22+ foreign function API,
 *       the header and frame read straight from libpcap's buffer: no pcap4j, no JNA.</li>
 * </ul>
 *
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar PcapDeliveryBenchmark -prof gc
 * </pre>
 * {@code gc.alloc.rate.norm} is per packet (the handle's open and close, a few KB per 20,000 packets, are in it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PcapDeliveryBenchmark
{
    static final int PACKETS = 20_000;
    private static final int SNAP_LENGTH = 2_048;
    /** struct pcap_pkthdr on 64-bit Linux: struct timeval (2 x 8 bytes), caplen, len. */
    private static final long CAPLEN_OFFSET = 16;
    private static final long LEN_OFFSET = 20;

    private final byte[] slot = new byte[SNAP_LENGTH];
    private Path file;
    private long checksum;

    private MethodHandle openOffline;
    private MethodHandle nextEx;
    private MethodHandle close;
    private Arena arena;
    private MemorySegment headerRef;
    private MemorySegment dataRef;
    private MemorySegment errbuf;
    private MemorySegment fileName;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        file = Files.createTempFile("egress25-pcap-delivery", ".pcap");
        TrafficGenerator.writeMixedBenchmark(file, PACKETS, 25);
        final Linker linker = Linker.nativeLinker();
        arena = Arena.ofShared();
        final SymbolLookup pcap = SymbolLookup.libraryLookup("libpcap.so.0.8", arena);
        openOffline = linker.downcallHandle(pcap.find("pcap_open_offline").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        nextEx = linker.downcallHandle(pcap.find("pcap_next_ex").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        close = linker.downcallHandle(pcap.find("pcap_close").orElseThrow(),
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        headerRef = arena.allocate(ValueLayout.ADDRESS);
        dataRef = arena.allocate(ValueLayout.ADDRESS);
        errbuf = arena.allocate(256);
        fileName = arena.allocateFrom(file.toString());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        arena.close();
        Files.deleteIfExists(file);
    }

    /** The capture thread's work for one frame: copy it into the slot, keep the timestamp and wire length. */
    private final RawPacketListener copyIntoSlot = packet ->
    {
        System.arraycopy(packet, 0, slot, 0, Math.min(packet.length, slot.length));
        checksum += slot[0];
    };

    private PcapHandle handleWithTimestamps;

    private final RawPacketListener copyWithTimestamp = packet ->
    {
        System.arraycopy(packet, 0, slot, 0, Math.min(packet.length, slot.length));
        final Timestamp timestamp = handleWithTimestamps.getTimestamp();
        final Integer original = handleWithTimestamps.getOriginalLength();
        checksum += slot[0] + timestamp.getNanos() + original;
    };

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long pcap4jLoop() throws Exception
    {
        try (PcapHandle handle = Pcaps.openOffline(file.toString()))
        {
            handleWithTimestamps = handle;
            handle.loop(-1, copyWithTimestamp);
        }
        return checksum;
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long pcap4jDispatch() throws Exception
    {
        try (PcapHandle handle = Pcaps.openOffline(file.toString()))
        {
            handleWithTimestamps = handle;
            while (handle.dispatch(256, copyWithTimestamp) > 0)
            {
                // a live capture thread would check its stop flag and read pcap_stats between batches
            }
        }
        return checksum;
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long pcap4jLoopFrameOnly() throws Exception
    {
        try (PcapHandle handle = Pcaps.openOffline(file.toString()))
        {
            handle.loop(-1, copyIntoSlot);
        }
        return checksum;
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long foreignNextEx() throws Throwable
    {
        final MemorySegment handle = (MemorySegment) openOffline.invokeExact(fileName, errbuf);
        if (handle.equals(MemorySegment.NULL))
        {
            throw new IllegalStateException(errbuf.getString(0));
        }
        try
        {
            while ((int) nextEx.invokeExact(handle, headerRef, dataRef) == 1)
            {
                final MemorySegment header = headerRef.get(ValueLayout.ADDRESS, 0).reinterpret(24);
                final int caplen = header.get(ValueLayout.JAVA_INT, CAPLEN_OFFSET);
                final int len = header.get(ValueLayout.JAVA_INT, LEN_OFFSET);
                final long seconds = header.get(ValueLayout.JAVA_LONG, 0);
                final long micros = header.get(ValueLayout.JAVA_LONG, 8);
                final int copied = Math.min(caplen, slot.length);
                final MemorySegment data = dataRef.get(ValueLayout.ADDRESS, 0).reinterpret(copied);
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 0, slot, 0, copied);
                checksum += slot[0] + seconds * 1_000_000_000L + micros * 1_000L + len;
            }
        }
        finally
        {
            close.invokeExact(handle);
        }
        return checksum;
    }
}
