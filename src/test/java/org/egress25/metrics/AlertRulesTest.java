package org.egress25.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.egress25.testing.Shell;
import org.junit.jupiter.api.Test;

/**
 * The shipped alert rules, checked by Prometheus's own tool: {@code promtool check rules} (syntax, PromQL,
 * templates) and {@code promtool test rules} (deploy/prometheus/egress25-alerts.test.yml: each alert fires
 * for a gateway in trouble, at the right time and with the right text, and never for a healthy one).
 */
class AlertRulesTest
{
    private static final Path RULES = Path.of("deploy", "prometheus", "egress25-alerts.yml");
    private static final Path TESTS = Path.of("deploy", "prometheus", "egress25-alerts.test.yml");

    @Test
    void alertRulesAreValidPrometheusRules()
    {
        assumeTrue(Shell.hasCommand("promtool"), "needs promtool (Debian package prometheus)");

        final Shell.Result check = Shell.run(List.of("promtool", "check", "rules", RULES.toString()), 60);

        assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isZero();
        assertThat(check.stdout()).contains("SUCCESS");
    }

    @Test
    void everyAlertFiresForTheGatewayInTroubleAndNotForTheHealthyOne()
    {
        assumeTrue(Shell.hasCommand("promtool"), "needs promtool (Debian package prometheus)");

        final Shell.Result test = Shell.run(List.of("promtool", "test", "rules", TESTS.toString()), 120);

        assertThat(test.exitCode()).as(test.stdout() + test.stderr()).isZero();
        assertThat(test.stdout()).contains("SUCCESS");
    }
}
