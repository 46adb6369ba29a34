-- POSTs one fixed JSON body (a Confluent request) on every request.
wrk.method = "POST"
wrk.body = [==[@BODY@]==]
wrk.headers["Content-Type"] = "application/vnd.schemaregistry.v1+json"
