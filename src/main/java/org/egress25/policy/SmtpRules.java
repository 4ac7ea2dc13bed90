package org.egress25.policy;

import java.time.Duration;
import java.util.List;
import org.egress25.host.Action;

/**
 * Thresholds of the SMTP dialogue detectors (the pattern analysers), as the rule file states them. Each
 * detector has its own nested record so the rule file and this type grow one detector at a time.
 *
 * @param blocklist     a remote reply naming a DNS blocklist
 * @param rejection     share of sessions rejected at banner, EHLO, MAIL or RCPT
 * @param helo          HELO quality (advisory: never blocks on its own)
 * @param recipients    recipient and recipient-domain fan-out
 * @param harvest       directory harvesting: many RCPT per session, mostly 550, no DATA
 * @param auth          AUTH brute force on submission ports
 * @param aborted       sessions that end without any accepted DATA
 */
public record SmtpRules(
    Blocklist blocklist,
    Rejection rejection,
    Helo helo,
    Recipients recipients,
    Harvest harvest,
    Auth auth,
    Aborted aborted)
{
    /** What every detector's rule has: the id its decisions carry and what a finding asks for. */
    public interface Rule
    {
        String id();

        Action action();
    }

    /**
     * @param zones   substrings naming blocklists, matched case-insensitively in 4xx/5xx reply text
     * @param action  what one such reply means
     */
    public record Blocklist(String id, List<String> zones, Action action) implements Rule
    {
    }

    public record Rejection(String id, double share, int minSessions, Duration window, Action action) implements Rule
    {
    }

    /**
     * @param maxDistinctNames  distinct HELO names one host may use per window before it is odd
     * @param providerDomains   big providers' domains a home host has no business claiming in HELO
     */
    public record Helo(String id, int maxDistinctNames, Duration window, List<String> providerDomains, Action action) implements Rule
    {
    }

    public record Recipients(String id, int maxRecipients, int maxDomains, Duration window, Action action) implements Rule
    {
    }

    public record Harvest(String id, int minRecipients, double rejectShare, Action action) implements Rule
    {
    }

    public record Auth(String id, int maxFailures, Duration window, Action action) implements Rule
    {
    }

    public record Aborted(String id, double share, int minSessions, Duration window, Action action) implements Rule
    {
    }

    /** The built-in values, identical to the shipped rules/ (a test keeps them so). */
    public static SmtpRules defaults()
    {
        return new SmtpRules(
            new Blocklist("smtp-blocklist-reply", List.of(
                "spamhaus", "spamcop", "abuseat", "cbl.", "sorbs", "barracuda", "uceprotect", "psbl",
                "mailspike", "blocklist.de", "spamrats", "dnsbl", "blacklist", "blocklist", "block list", "rbl", "(s3140)",
                "(s3150)"), Action.BLOCK),
            new Rejection("smtp-rejection-share", 0.3, 10, Duration.ofHours(1), Action.BLOCK),
            new Helo("smtp-helo-quality", 1, Duration.ofHours(1), List.of(
                "gmail.com", "google.com", "yahoo.com", "outlook.com", "hotmail.com", "live.com", "microsoft.com",
                "aol.com", "icloud.com", "apple.com", "gmx.net", "mail.ru", "yandex.ru"), Action.ALERT),
            new Recipients("smtp-recipient-fanout", 100, 20, Duration.ofHours(1), Action.BLOCK),
            new Harvest("smtp-directory-harvest", 20, 0.5, Action.BLOCK),
            new Auth("smtp-auth-bruteforce", 10, Duration.ofMinutes(10), Action.ALERT),
            new Aborted("smtp-aborted-sessions", 0.8, 10, Duration.ofHours(1), Action.ALERT));
    }
}
