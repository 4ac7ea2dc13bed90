package org.egress25.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.egress25.host.Addresses;
import org.egress25.host.Cidr;
import org.junit.jupiter.api.Test;

class PrefixIndexTest
{
    @Test
    void shouldAgreeWithALongestPrefixScanOnRandomBlocksOfBothFamilies()
    {
        final Random random = new Random(4711);
        for (int round = 0; round < 200; round++)
        {
            final List<Cidr> blocks = new ArrayList<>();
            final int count = 1 + random.nextInt(round < 100 ? 12 : 400);
            for (int i = 0; i < count; i++)
            {
                blocks.add(randomBlock(random));
            }
            final int[] values = new int[blocks.size()];
            for (int i = 0; i < values.length; i++)
            {
                values[i] = i;
            }
            final PrefixIndex index = new PrefixIndex(blocks, values);
            for (int probe = 0; probe < 500; probe++)
            {
                final long[] address = probe % 2 == 0
                    ? near(blocks.get(random.nextInt(blocks.size())), random)
                    : new long[] {random.nextBoolean() ? 0 : random.nextLong(), random.nextLong()};
                assertThat(index.lookup(address[0], address[1]))
                    .as("round %d, %s", round, Addresses.format(address[0], address[1]))
                    .isEqualTo(scan(blocks, address[0], address[1]));
            }
        }
    }

    @Test
    void shouldHandleTheExtremePrefixLengthsScannedAndHashed()
    {
        final List<Cidr> blocks = new ArrayList<>(List.of(Cidr.parse("::/0"), Cidr.parse("0.0.0.0/0"),
            Cidr.parse("2001:db8::/64"), Cidr.parse("2001:db8::1/128"), Cidr.parse("192.0.2.1/32")));
        for (int padding = 0; padding <= PrefixIndex.LINEAR_MAX; padding += PrefixIndex.LINEAR_MAX)
        {
            for (int i = 0; i < padding; i++)
            {
                blocks.add(Cidr.parse("198.18." + i + ".0/24"));
            }
            final int[] values = new int[blocks.size()];
            for (int i = 0; i < values.length; i++)
            {
                values[i] = i;
            }
            final PrefixIndex index = new PrefixIndex(blocks, values);

            assertThat(lookup(index, "2001:db8::1")).isEqualTo(3);
            assertThat(lookup(index, "2001:db8::2")).isEqualTo(2);
            assertThat(lookup(index, "2001:db9::")).isEqualTo(0);
            assertThat(lookup(index, "192.0.2.1")).isEqualTo(4);
            assertThat(lookup(index, "192.0.2.2")).isEqualTo(1);
            assertThat(lookup(index, "198.18.3.9")).isEqualTo(padding == 0 ? 1 : 8);
        }
        assertThat(new PrefixIndex(List.of(), new int[0]).lookup(0, 0)).isEqualTo(-1);
    }

    private static int lookup(final PrefixIndex index, final String address)
    {
        final long[] a = Addresses.parse(address);
        return index.lookup(a[0], a[1]);
    }

    /** What the index must answer: the longest block holding the address, the first of equal ones. */
    private static int scan(final List<Cidr> blocks, final long hi, final long lo)
    {
        int best = -1;
        for (int i = 0; i < blocks.size(); i++)
        {
            if (blocks.get(i).contains(hi, lo) && (best < 0 || blocks.get(i).bits() > blocks.get(best).bits()))
            {
                best = i;
            }
        }
        return best;
    }

    private static Cidr randomBlock(final Random random)
    {
        if (random.nextBoolean())
        {
            final int prefix = 4 + random.nextInt(29);
            final long v4 = random.nextInt(4) == 0 ? 0x0a00_0000L | random.nextInt(1 << 16) : random.nextInt() & 0xffff_ffffL;
            final long masked = v4 & (prefix == 0 ? 0 : (0xffff_ffffL << (32 - prefix)) & 0xffff_ffffL);
            return Cidr.parse(((masked >>> 24) & 0xff) + "." + ((masked >>> 16) & 0xff) + "." + ((masked >>> 8) & 0xff)
                + "." + (masked & 0xff) + "/" + prefix);
        }
        final int prefix = 16 + random.nextInt(113);
        final long hi = 0x2001_0db8_0000_0000L | (random.nextLong() & 0x0000_0000_00ff_ffffL);
        final long lo = random.nextInt(3) == 0 ? 0 : random.nextLong();
        final long maskedHi = prefix >= 64 ? hi : hi & ~(-1L >>> prefix);
        final long maskedLo = prefix <= 64 ? 0 : prefix == 128 ? lo : lo & ~(-1L >>> (prefix - 64));
        return Cidr.parse(Addresses.format(maskedHi, maskedLo) + "/" + prefix);
    }

    /** An address inside or just outside the block. */
    private static long[] near(final Cidr block, final Random random)
    {
        final long noise = random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(256);
        return new long[] {block.hi() ^ (random.nextInt(8) == 0 ? noise : 0), block.lo() ^ noise};
    }
}
