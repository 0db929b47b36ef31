/**
 * Read models of the token sets, one slice per read model: {@code tokenset} (the current state,
 * {@code token_set_view}, and the queries the API and the refresh scheduler use) and {@code history}
 * (the metadata-only audit trail, {@code token_set_history}). Each has its own processing group and
 * pooled streaming processor ({@link dev.tokenbroker.projections.ProjectionProcessors}) and can be
 * rebuilt from the first event ({@link dev.tokenbroker.projections.ReadModelRebuild}).
 * The application imports {@link dev.tokenbroker.projections.ProjectionsConfiguration}.
 */
package dev.tokenbroker.projections;
