/**
 * Enforcement: turning block decisions into port-scoped firewall blocks that expire on their own, survive
 * restarts and crashes, and can be listed and lifted by the abuse desk.
 *
 * <pre>
 *  analysers ──submit()──▶ EnforcerService queue (bounded, drops counted)
 *                               │  enforcer thread, batches of up to 1024
 *                               ▼
 *                          BlockJournal.record()   append + fdatasync, then BlockStore updated
 *                               ▼
 *                          Enforcer.apply()        NftablesEnforcer: one nft transaction per batch
 *                                                  ExecEnforcer: operator's program per decision
 *                                                  NoopEnforcer: shadow mode, logs only
 * </pre>
 *
 * <p>Start-up order: {@link org.egress25.enforce.BlockJournal#open} replays and compacts the journal into a
 * {@link org.egress25.enforce.BlockStore}; {@link org.egress25.enforce.EnforcerService#start} starts the
 * enforcer (creating or adopting {@code table inet egress25}) and, for nftables, runs the
 * {@link org.egress25.enforce.Reconciler}, which makes the kernel sets agree with the store. Wiring:
 *
 * <pre>
 * BlockJournal journal = BlockJournal.open(Path.of("/var/lib/egress25/blocks.jsonl"), ladder.memory(), 10_000, Clock.systemUTC());
 * Enforcer enforcer = new NftablesEnforcer(NftablesConfig.builder().latencyNanos(histogram::observeNanos).build());
 * EnforcerService service = new EnforcerService(enforcer, journal, ladder.memory(), 4096, Clock.systemUTC());
 * log.info(service.start().summary());
 * DecisionSink sink = service::submit;                 // never blocks
 * int strikes = service.store().strikesWithin(host, now, ladder.memory()) + 1;
 * </pre>
 *
 * <p>Only the enforcer thread writes the journal, the store and the kernel sets; everyone else reads the store
 * or sends commands ({@link org.egress25.enforce.EnforcerService#block}, {@code unblock}).
 */
package org.egress25.enforce;
