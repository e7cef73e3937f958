// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package schema

func ptr(f float64) *float64 { return &f }

// DefaultVersion is the version of the built-in contract.
const DefaultVersion = "2.1"

// Default returns the built-in contract: the ML log schema's inference contract, schema_version 2.1
// (quality_metrics added in 2.1, anomaly_signals in 2.0), and the training records its PyTorch
// Lightning and Hugging Face Trainer callbacks write. The training callbacks write neither
// request_id nor service, so the training types skip the common fields and require their own.
func Default() Schema {
	unit := func(path string) Field { return Field{Path: path, Type: TypeFloat, Min: ptr(0), Max: ptr(1)} }
	nonNegInt := func(path string) Field { return Field{Path: path, Type: TypeInt, Min: ptr(0)} }
	nonNegFloat := func(path string) Field { return Field{Path: path, Type: TypeFloat, Min: ptr(0)} }
	return Schema{
		Version: DefaultVersion,
		Common: []Field{
			{Path: FieldTimestamp, Type: TypeTimestamp, Required: true},
			{Path: FieldRequestID, Type: TypeString, Required: true},
			{Path: FieldService, Type: TypeString, Required: true},
			{Path: FieldEventType, Type: TypeString, Required: true},
			{Path: FieldEnvironment, Type: TypeString, Enum: []string{"production", "staging", "development"}},
			{Path: FieldLogLevel, Type: TypeString, Enum: []string{"ERROR", "WARN", "WARNING", "INFO", "DEBUG", "CRITICAL"}},
		},
		EventTypes: []EventType{
			{
				Name: "inference", Kind: KindInference,
				Values: []string{"inference_complete", "inference", "inference_error"},
				Fields: []Field{
					{Path: "model_metadata", Type: TypeObject, Required: true},
					{Path: FieldModelName, Type: TypeString, Required: true},
					{Path: FieldModelVersion, Type: TypeString, Required: true},
					{Path: "model_metadata.training_date", Type: TypeString},
					{Path: FieldServingVariant, Type: TypeString},
					{Path: FieldUserID, Type: TypeString},
					{Path: FieldSessionID, Type: TypeString},
					{Path: "request_context.timestamp_ms", Type: TypeTimestamp},
					{Path: "request_context.batch_size", Type: TypeInt, Min: ptr(1)},
					{Path: "input_features.feature_vector_hash", Type: TypeString},
					nonNegInt("input_features.feature_count"),
					nonNegFloat(FieldFeatureStoreLatencyMS),
					{Path: FieldCacheHit, Type: TypeBool},
					nonNegFloat("input_features.feature_engineering_duration_ms"),
					{Path: "inference_metrics", Type: TypeObject, Required: true},
					nonNegFloat(FieldLatencyMS),
					nonNegInt("inference_metrics.gpu_memory_mb"),
					nonNegFloat("inference_metrics.batch_processing_time_ms"),
					nonNegFloat("inference_metrics.post_processing_time_ms"),
					{Path: "output", Type: TypeObject, Required: true},
					{Path: "output.prediction", Type: TypeAny},
					{Path: FieldConfidenceScores, Type: TypeFloatArray, Min: ptr(0), Max: ptr(1)},
					unit(FieldConfidenceThreshold),
					nonNegInt(FieldItemsAboveThreshold),
					{Path: "quality_metrics", Type: TypeObject, Since: "2.1"},
					{Path: "quality_metrics.input_tokens", Type: TypeInt, Min: ptr(0), Since: "2.1"},
					{Path: "quality_metrics.output_tokens", Type: TypeInt, Min: ptr(0), Since: "2.1"},
					{Path: "quality_metrics.perplexity", Type: TypeFloat, Min: ptr(0), Since: "2.1"},
					{Path: "anomaly_signals", Type: TypeObject, Since: "2.0"},
					{Path: FieldLatencyAnomalous, Type: TypeBool, Since: "2.0"},
					{Path: FieldConfidenceAnomalous, Type: TypeBool, Since: "2.0"},
					{Path: FieldDriftScore, Type: TypeFloat, Min: ptr(0), Max: ptr(1), Since: "2.0"},
				},
			},
			{
				Name: "training_epoch", Kind: KindTraining, SkipCommon: true,
				Values: []string{"training_epoch_end"},
				Fields: []Field{
					{Path: FieldTimestamp, Type: TypeTimestamp, Required: true},
					{Path: FieldEventType, Type: TypeString, Required: true},
					{Path: FieldExperimentID, Type: TypeString, Required: true},
					{Path: FieldTrainModel, Type: TypeString, Required: true},
					{Path: FieldEpoch, Type: TypeInt, Required: true, Min: ptr(0)},
					nonNegInt(FieldGlobalStep),
					{Path: "metrics", Type: TypeObject, Required: true},
					nonNegFloat(FieldTrainLoss),
					nonNegFloat(FieldValLoss),
					nonNegFloat("metrics.learning_rate"),
					{Path: "training_context", Type: TypeObject},
					{Path: "training_context.batch_size", Type: TypeInt, Min: ptr(1)},
					nonNegInt("training_context.num_gpus"),
					{Path: "training_context.world_size", Type: TypeInt, Min: ptr(1)},
					nonNegFloat("system_metrics.epoch_duration_seconds"),
				},
			},
			{
				Name: "training_batch", Kind: KindTraining, SkipCommon: true,
				Values: []string{"training_batch_sample"},
				Fields: []Field{
					{Path: FieldTimestamp, Type: TypeTimestamp, Required: true},
					{Path: FieldEventType, Type: TypeString, Required: true},
					{Path: FieldExperimentID, Type: TypeString, Required: true},
					{Path: "batch_idx", Type: TypeInt, Required: true, Min: ptr(0)},
					nonNegFloat(FieldLoss),
					{Path: "batch_size", Type: TypeInt, Min: ptr(1)},
				},
			},
			{
				Name: "training_step", Kind: KindTraining, SkipCommon: true,
				Values: []string{"training_step"},
				Fields: []Field{
					{Path: FieldTimestamp, Type: TypeTimestamp, Required: true},
					{Path: FieldEventType, Type: TypeString, Required: true},
					{Path: FieldTrainModel, Type: TypeString, Required: true},
					{Path: FieldGlobalStep, Type: TypeInt, Required: true, Min: ptr(0)},
					nonNegFloat(FieldEpoch),
					{Path: "metrics", Type: TypeObject},
					nonNegFloat("learning_rate"),
					nonNegFloat(FieldTrainingLoss),
					{Path: "eval_metrics", Type: TypeObject},
					nonNegFloat("eval_metrics.eval_loss"),
					unit("eval_metrics.eval_f1"),
					unit(FieldEvalAccuracy),
				},
			},
		},
	}
}
