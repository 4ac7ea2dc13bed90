package org.egress25.policy;

import java.time.Duration;
import java.util.List;

/**
 * How the {@code flowspec} enforcer reaches the BGP daemon that announces blocks to the edge routers, as the
 * {@code enforcement.flowspec:} entry states it.
 *
 * @param command the {@code gobgp} CLI and its flags for reaching gobgpd's API, run without a shell
 * @param action  what the routers do with a blocked host's port-25 traffic
 * @param timeout a gobgp call taking longer is killed and counted as failed
 */
public record FlowspecRules(List<String> command, FlowspecAction action, Duration timeout)
{
    public FlowspecRules
    {
        command = List.copyOf(command);
    }

    /** gobgpd on its default API address, 127.0.0.1:50051, rules that discard. */
    public static FlowspecRules defaults()
    {
        return new FlowspecRules(List.of("gobgp"), FlowspecAction.discard(), Duration.ofSeconds(5));
    }
}
