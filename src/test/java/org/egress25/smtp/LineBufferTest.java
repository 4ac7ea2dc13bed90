package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LineBufferTest
{
    private static final int CAPACITY = 2048;

    @Test
    void shouldKeepALineLongerThanItsFirstBufferWholeAcrossSegments()
    {
        final String line = "RCPT TO:<" + "a".repeat(1500) + "@example.org>";
        final byte[] wire = (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
        final LineBuffer buffer = new LineBuffer(CAPACITY);

        int at = 0;
        for (final int cut : new int[] {100, 700, wire.length})
        {
            at = buffer.append(wire, at, cut);
            if (cut < wire.length)
            {
                assertThat(buffer.complete()).isFalse();
            }
        }

        assertThat(buffer.complete()).isTrue();
        assertThat(at).isEqualTo(wire.length);
        assertThat(new String(buffer.bytes, 0, buffer.length, StandardCharsets.US_ASCII)).isEqualTo(line);
        assertThat(buffer.takeOverflow()).isFalse();
    }

    @Test
    void shouldCutALineAtTheCapacityAndReportItOnce()
    {
        final byte[] wire = new byte[3000 + 2];
        Arrays.fill(wire, (byte)'x');
        wire[3000] = '\r';
        wire[3001] = '\n';
        final LineBuffer buffer = new LineBuffer(CAPACITY);

        final int half = buffer.append(wire, 0, 1000);
        assertThat(buffer.takeOverflow()).isFalse();
        buffer.append(wire, half, wire.length);

        assertThat(buffer.complete()).isTrue();
        assertThat(buffer.length).isEqualTo(CAPACITY);
        assertThat(buffer.bytes.length).isEqualTo(CAPACITY);
        assertThat(buffer.takeOverflow()).isTrue();
        assertThat(buffer.takeOverflow()).isFalse();
    }

    @Test
    void shouldStartSmallSoAShortDialogueCostsLittle()
    {
        final byte[] wire = "EHLO mail.example.org\r\n".getBytes(StandardCharsets.US_ASCII);
        final LineBuffer buffer = new LineBuffer(CAPACITY);

        buffer.append(wire, 0, wire.length);

        assertThat(buffer.complete()).isTrue();
        assertThat(buffer.bytes.length).isLessThan(CAPACITY);
    }
}
