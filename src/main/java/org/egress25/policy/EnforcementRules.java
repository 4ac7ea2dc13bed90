package org.egress25.policy;

import java.time.Duration;
import java.util.List;

/**
 * How block decisions reach the network, as the {@code enforcement:} section states it.
 *
 * @param enforcer       {@code none} (decisions only), {@code nftables}, {@code exec}, {@code flowspec}, or several
 *                       of the last three joined by commas ({@code nftables,flowspec}): each block reaches each
 * @param ports          destination ports a block shuts; never a submission port (RFC 5068, 6409, 8314)
 * @param verdict        {@code drop} (silent) or {@code reject} (TCP RST / ICMP, so the client gives up at once)
 * @param table          nftables table egress25 owns and may flush
 * @param outputChain    also police the gateway's own output (when the MTA runs on the gateway itself)
 * @param execCommand    for {@code exec}: argv run per decision, empty otherwise
 * @param execTimeout    for {@code exec}: a run taking longer is killed and counted as failed
 * @param flowspec       for {@code flowspec}: the BGP daemon's CLI and the action announced
 */
public record EnforcementRules(
    String enforcer,
    List<Integer> ports,
    String verdict,
    String table,
    boolean outputChain,
    List<String> execCommand,
    Duration execTimeout,
    FlowspecRules flowspec)
{
    public EnforcementRules
    {
        ports = List.copyOf(ports);
        execCommand = List.copyOf(execCommand);
    }

    /** Decisions are written but nothing is enforced: the shipped rules' values. */
    public static EnforcementRules none()
    {
        return new EnforcementRules(
            "none", List.of(25), "reject", "egress25", false, List.of(), Duration.ofSeconds(5), FlowspecRules.defaults());
    }
}
