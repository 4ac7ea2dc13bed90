package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteScanTest
{
    @Test
    void shouldFindTheSameLineFeedAsAByteByByteScan()
    {
        final Random random = new Random(3);
        final byte[] buffer = new byte[64];
        for (int round = 0; round < 200_000; round++)
        {
            for (int i = 0; i < buffer.length; i++)
            {
                // Mostly bytes next to LF in value (0x09, 0x0b, 0x8a) to catch carries; a few LFs.
                final int pick = random.nextInt(20);
                buffer[i] = (byte)(pick == 0 ? '\n' : pick < 5 ? 0x0b : pick < 10 ? 0x09 : pick < 12 ? 0x8a : random.nextInt(256));
            }
            final int from = random.nextInt(buffer.length);
            final int end = from + random.nextInt(buffer.length - from + 1);
            int expected = from;
            while (expected < end && buffer[expected] != '\n')
            {
                expected++;
            }
            assertThat(ByteScan.indexOfLf(buffer, from, end)).isEqualTo(expected);
        }
    }
}
