/**
 * pulumi-ikev2: IKEv2 site-to-site VPNs between Cisco IOS / IOS-XE routers and strongSwan hosts,
 * declared as Pulumi resources and applied over SSH.
 */
export * from "./resources/ios";
export * from "./resources/strongswan";
export * from "./resources/types";
export { IosRouter, IosRouterArgs, SiteToSiteTunnel, SiteToSiteTunnelArgs, StrongSwanSite, TunnelAlgorithms, TunnelEndArgs, IosTunnelEnd, StrongSwanTunnelEnd } from "./resources/site-to-site";
export { checkTunnelEnds, CrossEndCheck, HandWrittenEnd } from "./resources/cross-end";
