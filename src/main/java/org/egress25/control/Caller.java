package org.egress25.control;

import java.util.Set;

/**
 * The person (or process) on the other end of the control socket, from the kernel's peer credentials.
 *
 * @param user   account name, or the uid as text when the uid has no account
 * @param uid    numeric uid; -1 when it could not be told
 * @param groups names of the groups the account belongs to (primary, supplementary, and the peer's own gid)
 */
public record Caller(String user, int uid, Set<String> groups)
{
    public boolean isRoot()
    {
        return uid == 0;
    }

    /** How the decisions log and the journal name who asked: {@code alice (uid 1000)}. */
    public String audit()
    {
        return user + " (uid " + uid + ")";
    }
}
