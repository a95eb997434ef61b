{{/*
Expand the name of the chart.
*/}}
{{- define "rollcast.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
*/}}
{{- define "rollcast.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "rollcast.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "rollcast.labels" -}}
helm.sh/chart: {{ include "rollcast.chart" . }}
{{ include "rollcast.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: rollcast
{{- end }}

{{/*
Selector labels
*/}}
{{- define "rollcast.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rollcast.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Image reference from an image block (repository / tag / digest); the digest wins over the tag.
Usage: include "rollcast.image" (dict "image" .Values.job.image "path" "job.image" "defaultTag" "")
*/}}
{{- define "rollcast.image" -}}
{{- $repository := required (printf "%s.repository is required: the image to run" .path) .image.repository -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repository .image.digest -}}
{{- else -}}
{{- $tag := required (printf "%s.tag (or %s.digest) is required" .path .path) (default .defaultTag .image.tag) -}}
{{- printf "%s:%s" $repository (toString $tag) -}}
{{- end -}}
{{- end }}

{{/*
Name of the FlinkDeployment. It becomes the Flink cluster-id, which Flink limits to 45 characters.
*/}}
{{- define "rollcast.jobName" -}}
{{- printf "%s-rollups" (include "rollcast.fullname" . | trunc 37 | trimSuffix "-") }}
{{- end }}

{{/*
Name of the fan-out's Deployment, Service and HPA; short enough for its "-config" ConfigMap too.
*/}}
{{- define "rollcast.fanoutName" -}}
{{- printf "%s-fanout" (include "rollcast.fullname" . | trunc 49 | trimSuffix "-") }}
{{- end }}

{{/*
The Secret with jwt-hmac-key, postgres-password and clickhouse-password.
*/}}
{{- define "rollcast.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-secrets" (include "rollcast.fullname" . | trunc 55 | trimSuffix "-") }}
{{- end }}
{{- end }}

{{/*
Checkpoint, savepoint and HA directories: explicit values, or below job.storage.baseDir.
*/}}
{{- define "rollcast.stateBaseDir" -}}
{{- required "job.storage.baseDir is required: a durable URI (s3://, gs://, hdfs://, file:// on a shared volume) for checkpoints, savepoints and HA" .Values.job.storage.baseDir | trimSuffix "/" }}
{{- end }}
{{- define "rollcast.checkpointDir" -}}
{{- default (printf "%s/checkpoints" (include "rollcast.stateBaseDir" .)) .Values.job.storage.checkpointDir }}
{{- end }}
{{- define "rollcast.savepointDir" -}}
{{- default (printf "%s/savepoints" (include "rollcast.stateBaseDir" .)) .Values.job.storage.savepointDir }}
{{- end }}
{{- define "rollcast.haDir" -}}
{{- default (printf "%s/ha" (include "rollcast.stateBaseDir" .)) .Values.job.storage.haDir }}
{{- end }}

{{/*
Local path of a file:// state base dir (mounted from a PersistentVolumeClaim), or "" for other schemes.
*/}}
{{- define "rollcast.statePath" -}}
{{- $base := include "rollcast.stateBaseDir" . }}
{{- if hasPrefix "file://" $base }}
{{- $path := trimPrefix "file://" $base }}
{{- if not (hasPrefix "/" $path) }}
{{- fail (printf "job.storage.baseDir %q: a file:// URI needs an absolute path (file:///...)" $base) }}
{{- end }}
{{- $path }}
{{- end }}
{{- end }}

{{- define "rollcast.stateClaimName" -}}
{{- default (printf "%s-flink-state" (include "rollcast.fullname" . | trunc 51 | trimSuffix "-")) .Values.job.storage.volume.existingClaim }}
{{- end }}

{{/*
The program arguments of the job: --config <job.yaml>, then --set key=value per override (sorted),
then job.extraArgs.
*/}}
{{- define "rollcast.jobArgs" -}}
{{- $args := list "--config" "/opt/flink/conf/rollcast/job.yaml" }}
{{- range $key := keys .Values.job.overrides | sortAlpha }}
{{- if contains "password" $key }}
{{- fail (printf "job.overrides.%s: passwords would be visible in the FlinkDeployment; set them in secrets.*" $key) }}
{{- end }}
{{- if eq $key "job.parallelism" }}
{{- fail "job.overrides.job.parallelism: set job.parallelism (the FlinkDeployment's parallelism) instead" }}
{{- end }}
{{- $args = append $args "--set" }}
{{- $args = append $args (printf "%s=%v" $key (index $.Values.job.overrides $key)) }}
{{- end }}
{{- $args = concat $args .Values.job.extraArgs }}
{{- toJson $args }}
{{- end }}
