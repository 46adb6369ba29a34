import protobuf from 'protobufjs';

/**
 * A pattern's services: every service declared in `root` but the google.* ones (the rich error
 * model and well-known types ride along with every root; they are not services of the pattern).
 */
export function patternServices(root: protobuf.Root): protobuf.Service[] {
  const out: protobuf.Service[] = [];
  const walk = (ns: protobuf.NamespaceBase) => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Service) {
        if (!nested.fullName.startsWith('.google.')) out.push(nested);
      } else if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) walk(nested);
    }
  };
  walk(root);
  return out;
}
