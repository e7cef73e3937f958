// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package schema

// Field paths of the contract that components act on. Everything that needs one of these
// paths uses the constant, so a rename happens here once.
const (
	FieldTimestamp     = "timestamp"
	FieldRequestID     = "request_id"
	FieldService       = "service"
	FieldEventType     = "event_type"
	FieldSchemaVersion = "schema_version"
	FieldEnvironment   = "environment"
	FieldLogLevel      = "log_level"

	FieldModelName      = "model_metadata.model_name"
	FieldModelVersion   = "model_metadata.model_version"
	FieldServingVariant = "model_metadata.serving_variant"

	FieldUserID    = "request_context.user_id"
	FieldSessionID = "request_context.session_id"

	FieldCacheHit              = "input_features.cache_hit"
	FieldFeatureStoreLatencyMS = "input_features.feature_store_latency_ms"

	FieldLatencyMS      = "inference_metrics.latency_ms"
	FieldLatencySeconds = "inference_metrics.latency_seconds"
	FieldLatencyS       = "inference_metrics.latency_s"

	FieldConfidenceScores    = "output.confidence_scores"
	FieldConfidenceThreshold = "output.confidence_threshold_applied"
	FieldItemsAboveThreshold = "output.items_above_threshold"
	FieldMeanConfidence      = "output.mean_confidence"
	FieldMinConfidence       = "output.min_confidence"
	FieldMaxConfidence       = "output.max_confidence"

	FieldLatencyAnomalous     = "anomaly_signals.latency_anomalous"
	FieldLatencyZScore        = "anomaly_signals.latency_zscore"
	FieldConfidenceAnomalous  = "anomaly_signals.confidence_anomalous"
	FieldConfidenceZScore     = "anomaly_signals.confidence_zscore"
	FieldLowConfidenceWarning = "anomaly_signals.low_confidence_warning"
	FieldDriftScore           = "anomaly_signals.drift_score"

	FieldExperimentID = "experiment_id"
	FieldTrainModel   = "model_name"
	FieldEpoch        = "epoch"
	FieldGlobalStep   = "global_step"
	FieldTrainLoss    = "metrics.train_loss"
	FieldValLoss      = "metrics.val_loss"
	FieldLoss         = "loss"
	FieldTrainingLoss = "training_loss"
	FieldEvalAccuracy = "eval_metrics.eval_accuracy"
)

// Fields the ml_schema processor writes next to the record's data.
const (
	FieldTags           = "tags"
	FieldSchemaErrors   = "ml.schema.errors"
	FieldSamplingWeight = "ml.sampling.weight"
	FieldTimestampZone  = "ml.timestamp.assumed_zone"
	FieldDeployEnv      = "deployment.environment"
	FieldDeployCluster  = "deployment.cluster"
)

// Tags the ml_schema processor adds to the tags field.
const (
	TagInvalidSchema   = "invalid_schema"
	TagInvalidJSON     = "invalid_json"
	TagHighLatency     = "high_latency"
	TagAnomalous       = "anomalous"
	TagTruncated       = "truncated"
	TagNoTimezone      = "timestamp_without_zone"
	TagInvalidTimestmp = "invalid_timestamp"
)
