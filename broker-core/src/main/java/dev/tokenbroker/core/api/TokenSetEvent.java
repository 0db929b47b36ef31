package dev.tokenbroker.core.api;

/**
 * What every event of the {@code TokenSet} aggregate carries: whose token set it is, who caused it and why.
 * Read models and publishers take these from here instead of knowing every event type.
 *
 * <p>Only record accessors, on purpose: events are stored as Jackson JSON by class name, and a default method
 * such as {@code getX()} would add a property to every stored event. Events stay top-level records (an interface
 * adds nothing to the stored type name or the JSON).
 */
public interface TokenSetEvent {

    TokenSetId tokenSetId();

    /** Who made the change: a user, an API client, the scheduler, the system. */
    Actor actor();

    /** Why, in words for audit (free text, never token material). */
    String cause();
}
