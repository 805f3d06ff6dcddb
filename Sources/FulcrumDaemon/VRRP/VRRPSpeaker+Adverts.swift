import FulcrumBytes
import FulcrumPosix
import FulcrumVRRP

/// Adverts over raw IP-112 sockets: those received go to the elections of
/// their VRID (with keepalived's lower-priority GARP and strict-mode rules),
/// bad ones are counted and logged sparingly; an election's advert goes to
/// each of its destinations.
extension VRRPSpeaker {
    func receive(on r: Int) {
        let socket = receivers[r]
        while true {
            let length: Int
            do {
                length = try packet.withUnsafeMutableBytes { buffer throws(Errno) in try socket.receive(into: buffer).length }
            } catch {
                return // .again: drained
            }
            let now = loop.now
            packet.withUnsafeBytes { raw in
                let bytes = UnsafeRawBufferPointer(rebasing: raw[0..<length])
                guard let vrid = VRRPPacket.vrid(ofIPv4Packet: bytes) else { return }
                for i in instances.indices where instances[i].receiver == r && instances[i].config.virtualRouterID == Int(vrid) {
                    let c = instances[i].config
                    do {
                        let advert = try VRRPPacket.decode(ipv4Packet: bytes, rules: instances[i].election.receiveRules,
                                                           sequence: &instances[i].election.ahSequence)
                        let wasMaster = instances[i].election.state == .master
                        let lower = advert.advertisement.priority != 0
                            && advert.advertisement.priority < instances[i].election.effectivePriority
                        actions.removeAll(keepingCapacity: true)
                        instances[i].election.receive(advert, now: electionTime(now), actions: &actions)
                        if wasMaster && lower {
                            if let script = c.notify.masterReceivedLowerPriority { runNotify(script.arguments, now: now) }
                            // Strict mode (lower_prio_no_advert): no advert back to a lower priority.
                            if c.strict { actions.removeAll { if case .sendAdvertisement = $0 { return true }; return false } }
                            if c.garpLowerPriorityRepeat > 0 {
                                actions.append(.sendGratuitousARP(rounds: c.garpLowerPriorityRepeat))
                                if c.garpLowerPriorityDelay > 0 {
                                    later(announcing: i, rounds: c.garpLowerPriorityRepeat,
                                          at: now + Int64(c.garpLowerPriorityDelay) * 1000)
                                }
                            }
                        }
                        perform(i, now: now)
                    } catch {
                        // A replayed AH sequence number differs every time: one key for all.
                        var key = "\(error)"
                        if case VRRPDropReason.sequenceReplayed? = error as? VRRPDropReason { key = "sequenceReplayed" }
                        instances[i].drops[key, default: 0] += 1
                        // keepalived logs each bad packet; once per reason and power of two here.
                        let n = instances[i].drops[key]!
                        if n & (n - 1) == 0 {
                            Log.warning("VRRP_Instance(\(instances[i].config.name)) dropped an advert: \(error) (\(n) so far)")
                        }
                    }
                }
            }
        }
    }

    func sendAdvert(_ i: Int, priority: UInt8) {
        let advert = instances[i].election.advertisement(priority: priority)
        let source = senders[instances[i].sender].source
        // auth_type AH: one identification and one sequence number per advert, whatever the
        // number of unicast peers (keepalived's vrrp_send_adv).
        var ah: (password: VRRPPassword, sequence: UInt32)? = nil
        if case .ipsecAH(let password) = advert.authentication {
            instances[i].ipIdentification &+= 1
            if instances[i].ipIdentification == 0 { instances[i].ipIdentification = 1 }
            ah = (password, instances[i].election.ahSequence.next())
        }
        for destination in instances[i].destinations {
            if let ah {
                VRRPAuthenticationHeader.encode(advert, password: ah.password, source: source, destination: destination,
                                                identification: instances[i].ipIdentification, sequence: ah.sequence,
                                                unicast: instances[i].config.isUnicast, into: &message)
            } else {
                VRRPPacket.encode(advert, source: source, destination: destination, into: &message)
            }
            do {
                _ = try message.withUnsafeBytes { buffer throws(Errno) in try senders[instances[i].sender].send(buffer, to: destination) }
            } catch {
                Log.debug("VRRP_Instance(\(instances[i].config.name)) cannot send to \(destination): \(error)")
            }
        }
    }
}
