{{- define "mcp-gateway.name" -}}{{ .Release.Name }}-mcp-gateway{{- end -}}
{{- define "mcp-gateway.redisUrl" -}}
{{- if .Values.redis.enabled -}}redis://{{ include "mcp-gateway.name" . }}-redis:6379{{- else -}}{{ required "redis.url is required when redis.enabled is false" .Values.redis.url }}{{- end -}}
{{- end -}}
{{- define "mcp-gateway.secret" -}}
{{- if not (or .Values.token .Values.existingSecret) -}}{{ fail "set token (the gateway's admin token) or existingSecret (a Secret with the key token)" }}{{- end -}}
{{ default (include "mcp-gateway.name" .) .Values.existingSecret }}
{{- end -}}
