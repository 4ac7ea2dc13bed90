package org.egress25.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.egress25.synth.Scorecard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The bundled demo capture (deploy/demo/demo.pcap.gz, ten minutes of a small ISP's subscribers) replayed with
 * the demo rules, which do not exempt its busy business MTA: the decisions are the golden file's, every
 * abuser of its labels is caught and no clean host is blocked.
 */
class DemoCaptureGoldenTest
{
    @Test
    void shouldDecideOnTheDemoCaptureExactlyAsTheGoldenFileSays(@TempDir final Path dir) throws Exception
    {
        final Path decisions = dir.resolve("decisions.jsonl");
        final StringWriter err = new StringWriter();
        final CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        final int exit = cl.execute("replay", "deploy/demo/demo.pcap.gz", "--rules", "deploy/demo/rules",
            "--decisions", decisions.toString(), "--quiet");
        assertThat(exit).as(err.toString()).isZero();

        final Scorecard card = Scorecard.score(Path.of("deploy/demo/labels.json"), decisions);
        System.out.print(card.kindTable());
        assertThat(card.wronglyBlocked()).as(card.table()).isEmpty();
        assertThat(card.missed()).as(card.table()).isEmpty();
        GoldenDecisions.assertMatches(decisions, "demo.decisions.txt");
    }
}
