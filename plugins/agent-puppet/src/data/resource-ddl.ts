import { defineDataDdl } from "@phobos/core";

const out = (description: string, display_as: string, def: unknown) => ({
  description,
  display_as,
  default: def,
});

export default defineDataDdl({
  metadata: {
    name: "resource",
    description: "Information about Puppet managed resources",
    author: "R.I.Pienaar <rip@devco.net>",
    license: "ASL 2.0",
    version: "1.1",
    url: "http://puppetlabs.com/",
    timeout: 1,
  },
  usage:
    'This data resource can be used to act based the management state\nof a resource various properties related to resources of the most\nrecent Puppet Catalog run.\n\nTo act on machines managing /srv/www:\n\n    -S "resource(\'file[/srv/www]\').managed = true"\n\nOr machines that had failed resources in their most recent run:\n\n    -S "resource().failed_resources > 0"\n\nOr ones that were particularly slow at applying their catalogs:\n\n    -S "resource().total_time > 360"\n',
  dataquery: {
    description: "Puppet Managed Resources",
    input: {
      query: {
        prompt: "Resource Name",
        description: "Valid resource name",
        type: "string",
        validation: "puppet_resource",
        optional: true,
        maxlength: 120,
      },
    },
    output: {
      managed: out("Is the resource managed", "Managed", false),
      out_of_sync_resources: out("Resources that were not in desired state", "Out of Sync Resources", -1),
      failed_resources: out("Resources that failed to apply", "Failed Resources", -1),
      corrected_resources: out("Resources that were correctively changed", "Corrected Resources", -1),
      changed_resources: out("Resources that were changed", "Changed Resources", -1),
      total_resources: out("Total resources managed on a node", "Total Resources", 0),
      total_time: out("Total time taken to retrieve and process the catalog", "Total Time", 0),
      config_retrieval_time: out(
        "Time taken to retrieve the catalog from the master",
        "Config Retrieval Time",
        -1,
      ),
      lastrun: out("When the Agent last applied a catalog in local time", "Last Run", 0),
      since_lastrun: out(
        "How long ago did the Agent last apply a catalog in local time",
        "Since Last Run",
        "Unknown",
      ),
      config_version: out("Puppet config version for the previously applied catalog", "Config Version", null),
    },
  },
});
