/* @stdlib/math-base-special-erf 0.2.6 (Apache-2.0, see LICENSE) bundled by esbuild 0.28.2 into one script defining the global function stdlibErf; how: README.md */
var stdlibErf=(()=>{var i=(r,t)=>()=>{try{return t||r((t={exports:{}}).exports,t),t.exports}catch(a){throw t=0,a}};var tr=i((mv,er)=>{"use strict";function ps(r){return r!==r}er.exports=ps});var l=i((Ev,ir)=>{"use strict";var fs=tr();ir.exports=fs});var sr=i((Sv,ar)=>{"use strict";var ls=Math.floor;ar.exports=ls});var ur=i((Iv,nr)=>{"use strict";var ys=sr();nr.exports=ys});var vr=i((wv,or)=>{"use strict";var qs=Math.ceil;or.exports=qs});var pr=i((bv,cr)=>{"use strict";var As=vr();cr.exports=As});var lr=i((Nv,fr)=>{"use strict";var gs=ur(),ds=pr();function hs(r){return r<0?ds(r):gs(r)}fr.exports=hs});var qr=i((xv,yr)=>{"use strict";var _s=lr();yr.exports=_s});var gr=i((Ov,Ar)=>{"use strict";Ar.exports=Number});var hr=i((Uv,dr)=>{"use strict";var ms=gr();dr.exports=ms});var y=i((Tv,_r)=>{"use strict";var Es=hr(),Ss=Es.NEGATIVE_INFINITY;_r.exports=Ss});var q=i((Fv,mr)=>{"use strict";var Is=Number.POSITIVE_INFINITY;mr.exports=Is});var I=i((Lv,Er)=>{"use strict";var ws=1023;Er.exports=ws});var Ir=i((Pv,Sr)=>{"use strict";var bs=1023;Sr.exports=bs});var br=i((Rv,wr)=>{"use strict";var Ns=-1023;wr.exports=Ns});var xr=i((Wv,Nr)=>{"use strict";var xs=-1074;Nr.exports=xs});var Ur=i((Gv,Or)=>{"use strict";var Os=q(),Us=y();function Ts(r){return r===Os||r===Us}Or.exports=Ts});var w=i((Mv,Tr)=>{"use strict";var Fs=Ur();Tr.exports=Fs});var Lr=i((Hv,Fr)=>{"use strict";var Ls=2147483648;Fr.exports=Ls});var Rr=i((Xv,Pr)=>{"use strict";var Ps=2147483647;Pr.exports=Ps});var Gr=i((Cv,Wr)=>{"use strict";var Rs=typeof Object.defineProperty=="function"?Object.defineProperty:null;Wr.exports=Rs});var Hr=i((Vv,Mr)=>{"use strict";var Ws=Gr();function Gs(){try{return Ws({},"x",{}),!0}catch(r){return!1}}Mr.exports=Gs});var Cr=i((Bv,Xr)=>{"use strict";var Ms=Object.defineProperty;Xr.exports=Ms});var b=i((Dv,Vr)=>{"use strict";function Hs(r){return typeof r=="number"}Vr.exports=Hs});var N=i((zv,Dr)=>{"use strict";function Xs(r){return r[0]==="-"}function Br(r){var t="",a;for(a=0;a<r;a++)t+="0";return t}function Cs(r,t,a){var e=!1,n=t-r.length;return n<0||(Xs(r)&&(e=!0,r=r.substr(1)),r=a?r+Br(n):Br(n)+r,e&&(r="-"+r)),r}Dr.exports=Cs});var Kr=i((Zv,$r)=>{"use strict";var Vs=b(),zr=N(),Bs=String.prototype.toLowerCase,Zr=String.prototype.toUpperCase;function Ds(r){var t,a,e;switch(r.specifier){case"b":t=2;break;case"o":t=8;break;case"x":case"X":t=16;break;default:t=10;break}if(a=r.arg,e=parseInt(a,10),!isFinite(e)){if(!Vs(a))throw new Error("invalid integer. Value: "+a);e=0}return e<0&&(r.specifier==="u"||t!==10)&&(e=4294967295+e+1),e<0?(a=(-e).toString(t),r.precision&&(a=zr(a,r.precision,r.padRight)),a="-"+a):(a=e.toString(t),!e&&!r.precision?a="":r.precision&&(a=zr(a,r.precision,r.padRight)),r.sign&&(a=r.sign+a)),t===16&&(r.alternate&&(a="0x"+a),a=r.specifier===Zr.call(r.specifier)?Zr.call(a):Bs.call(a)),t===8&&r.alternate&&a.charAt(0)!=="0"&&(a="0"+a),a}$r.exports=Ds});var Yr=i(($v,Qr)=>{"use strict";function zs(r){return typeof r=="string"}Qr.exports=zs});var kr=i((Kv,Jr)=>{"use strict";var Zs=Math.abs,$s=String.prototype.toLowerCase,jr=String.prototype.toUpperCase,c=String.prototype.replace,Ks=/e\+(\d)$/,Qs=/e-(\d)$/,Ys=/^(\d+)$/,js=/^(\d+)e/,Js=/\.0$/,ks=/\.0*e/,rn=/(\..*[^0])0*e/;function en(r,t){var a,e;switch(t.specifier){case"e":case"E":e=r.toExponential(t.precision);break;case"f":case"F":e=r.toFixed(t.precision);break;case"g":case"G":Zs(r)<1e-4?(a=t.precision,a>0&&(a-=1),e=r.toExponential(a)):e=r.toPrecision(t.precision),t.alternate||(e=c.call(e,rn,"$1e"),e=c.call(e,ks,"e"),e=c.call(e,Js,""));break;default:throw new Error("invalid double notation. Value: "+t.specifier)}return e=c.call(e,Ks,"e+0$1"),e=c.call(e,Qs,"e-0$1"),t.alternate&&(e=c.call(e,Ys,"$1."),e=c.call(e,js,"$1.e")),r>=0&&t.sign&&(e=t.sign+e),e=t.specifier===jr.call(t.specifier)?jr.call(e):$s.call(e),e}Jr.exports=en});var te=i((Qv,ee)=>{"use strict";function re(r){var t="",a;for(a=0;a<r;a++)t+=" ";return t}function tn(r,t,a){var e=t-r.length;return e<0||(r=a?r+re(e):re(e)+r),r}ee.exports=tn});var ae=i((Yv,ie)=>{"use strict";var an=Kr(),sn=Yr(),nn=b(),un=kr(),on=te(),vn=N(),cn=String.fromCharCode,pn=Array.isArray;function E(r){return r!==r}function fn(r){var t={};return t.specifier=r.specifier,t.precision=r.precision===void 0?1:r.precision,t.width=r.width,t.flags=r.flags||"",t.mapping=r.mapping,t}function ln(r){var t,a,e,n,s,u,o,v,f,m;if(!pn(r))throw new TypeError("invalid argument. First argument must be an array. Value: `"+r+"`.");for(u="",o=1,f=0;f<r.length;f++)if(e=r[f],sn(e))u+=e;else{if(t=e.precision!==void 0,e=fn(e),!e.specifier)throw new TypeError("invalid argument. Token is missing `specifier` property. Index: `"+f+"`. Value: `"+e+"`.");for(e.mapping&&(o=e.mapping),a=e.flags,m=0;m<a.length;m++)switch(n=a.charAt(m),n){case" ":e.sign=" ";break;case"+":e.sign="+";break;case"-":e.padRight=!0,e.padZeros=!1;break;case"0":e.padZeros=a.indexOf("-")<0;break;case"#":e.alternate=!0;break;default:throw new Error("invalid flag: "+n)}if(e.width==="*"){if(e.width=parseInt(arguments[o],10),o+=1,E(e.width))throw new TypeError("the argument for * width at position "+o+" is not a number. Value: `"+e.width+"`.");e.width<0&&(e.padRight=!0,e.width=-e.width)}if(t&&e.precision==="*"){if(e.precision=parseInt(arguments[o],10),o+=1,E(e.precision))throw new TypeError("the argument for * precision at position "+o+" is not a number. Value: `"+e.precision+"`.");e.precision<0&&(e.precision=1,t=!1)}switch(e.arg=arguments[o],e.specifier){case"b":case"o":case"x":case"X":case"d":case"i":case"u":t&&(e.padZeros=!1),e.arg=an(e);break;case"s":e.maxWidth=t?e.precision:-1,e.arg=String(e.arg);break;case"c":if(!E(e.arg)){if(s=parseInt(e.arg,10),s<0||s>127)throw new Error("invalid character code. Value: "+e.arg);e.arg=E(s)?String(e.arg):cn(s)}break;case"e":case"E":case"f":case"F":case"g":case"G":if(t||(e.precision=6),v=parseFloat(e.arg),!isFinite(v)){if(!nn(e.arg))throw new Error("invalid floating-point number. Value: "+u);v=e.arg,e.padZeros=!1}e.arg=un(v,e);break;default:throw new Error("invalid specifier: "+e.specifier)}e.maxWidth>=0&&e.arg.length>e.maxWidth&&(e.arg=e.arg.substring(0,e.maxWidth)),e.padZeros?e.arg=vn(e.arg,e.width||e.precision,e.padRight):e.width&&(e.arg=on(e.arg,e.width,e.padRight)),u+=e.arg||"",o+=1}return u}ie.exports=ln});var ne=i((jv,se)=>{"use strict";var yn=ae();se.exports=yn});var oe=i((Jv,ue)=>{"use strict";var S=/%(?:([1-9]\d*)\$)?([0 +\-#]*)(\*|\d+)?(?:(\.)(\*|\d+)?)?[hlL]?([%A-Za-z])/g;function qn(r){var t={mapping:r[1]?parseInt(r[1],10):void 0,flags:r[2],width:r[3],precision:r[5],specifier:r[6]};return r[4]==="."&&r[5]===void 0&&(t.precision="1"),t}function An(r){var t,a,e,n;for(a=[],n=0,e=S.exec(r);e;)t=r.slice(n,S.lastIndex-e[0].length),t.length&&a.push(t),e[6]==="%"?a.push("%"):a.push(qn(e)),n=S.lastIndex,e=S.exec(r);return t=r.slice(n),t.length&&a.push(t),a}ue.exports=An});var ce=i((kv,ve)=>{"use strict";var gn=oe();ve.exports=gn});var fe=i((rc,pe)=>{"use strict";function dn(r){return typeof r=="string"}pe.exports=dn});var qe=i((ec,ye)=>{"use strict";var hn=ne(),_n=ce(),mn=fe();function le(r){var t,a;if(!mn(r))throw new TypeError(le("invalid argument. First argument must be a string. Value: `%s`.",r));for(t=[_n(r)],a=1;a<arguments.length;a++)t.push(arguments[a]);return hn.apply(null,t)}ye.exports=le});var ge=i((tc,Ae)=>{"use strict";var En=qe();Ae.exports=En});var Se=i((ic,Ee)=>{"use strict";var de=ge(),p=Object.prototype,he=p.toString,_e=p.__defineGetter__,me=p.__defineSetter__,Sn=p.__lookupGetter__,In=p.__lookupSetter__;function wn(r,t,a){var e,n,s,u;if(typeof r!="object"||r===null||he.call(r)==="[object Array]")throw new TypeError(de("invalid argument. First argument must be an object. Value: `%s`.",r));if(typeof a!="object"||a===null||he.call(a)==="[object Array]")throw new TypeError(de("invalid argument. Property descriptor must be an object. Value: `%s`.",a));if(n="value"in a,n&&(Sn.call(r,t)||In.call(r,t)?(e=r.__proto__,r.__proto__=p,delete r[t],r[t]=a.value,r.__proto__=e):r[t]=a.value),s="get"in a,u="set"in a,n&&(s||u))throw new Error("invalid argument. Cannot specify one or more accessors and a value or writable attribute in the property descriptor.");return s&&_e&&_e.call(r,t,a.get),u&&me&&me.call(r,t,a.set),r}Ee.exports=wn});var we=i((ac,Ie)=>{"use strict";var bn=Hr(),Nn=Cr(),xn=Se(),x;bn()?x=Nn:x=xn;Ie.exports=x});var Ne=i((sc,be)=>{"use strict";var On=we();function Un(r,t,a){On(r,t,{configurable:!1,enumerable:!1,writable:!1,value:a})}be.exports=Un});var O=i((nc,xe)=>{"use strict";var Tn=Ne();xe.exports=Tn});var Ue=i((uc,Oe)=>{"use strict";function Fn(){return typeof Symbol=="function"&&typeof Symbol("foo")=="symbol"}Oe.exports=Fn});var Fe=i((oc,Te)=>{"use strict";var Ln=Ue();Te.exports=Ln});var Pe=i((vc,Le)=>{"use strict";var Pn=Fe(),Rn=Pn();function Wn(){return Rn&&typeof Symbol.toStringTag=="symbol"}Le.exports=Wn});var We=i((cc,Re)=>{"use strict";var Gn=Pe();Re.exports=Gn});var U=i((pc,Ge)=>{"use strict";var Mn=Object.prototype.toString;Ge.exports=Mn});var He=i((fc,Me)=>{"use strict";var Hn=U();function Xn(r){return Hn.call(r)}Me.exports=Xn});var Ce=i((lc,Xe)=>{"use strict";var Cn=Object.prototype.hasOwnProperty;function Vn(r,t){return r==null?!1:Cn.call(r,t)}Xe.exports=Vn});var Be=i((yc,Ve)=>{"use strict";var Bn=Ce();Ve.exports=Bn});var ze=i((qc,De)=>{"use strict";var Dn=typeof Symbol=="function"?Symbol:void 0;De.exports=Dn});var $e=i((Ac,Ze)=>{"use strict";var zn=ze();Ze.exports=zn});var Ye=i((gc,Qe)=>{"use strict";var Ke=$e(),Zn=typeof Ke=="function"?Ke.toStringTag:"";Qe.exports=Zn});var Je=i((dc,je)=>{"use strict";var $n=Be(),A=Ye(),T=U();function Kn(r){var t,a,e;if(r==null)return T.call(r);a=r[A],t=$n(r,A);try{r[A]=void 0}catch(n){return T.call(r)}return e=T.call(r),t?r[A]=a:delete r[A],e}je.exports=Kn});var g=i((hc,ke)=>{"use strict";var Qn=We(),Yn=He(),jn=Je(),F;Qn()?F=jn:F=Yn;ke.exports=F});var et=i((_c,rt)=>{"use strict";var Jn=g(),kn=typeof Uint32Array=="function";function ru(r){return kn&&r instanceof Uint32Array||Jn(r)==="[object Uint32Array]"}rt.exports=ru});var it=i((mc,tt)=>{"use strict";var eu=et();tt.exports=eu});var st=i((Ec,at)=>{"use strict";var tu=4294967295;at.exports=tu});var ut=i((Sc,nt)=>{"use strict";var iu=typeof Uint32Array=="function"?Uint32Array:null;nt.exports=iu});var ct=i((Ic,vt)=>{"use strict";var au=it(),L=st(),ot=ut();function su(){var r,t;if(typeof ot!="function")return!1;try{t=[1,3.14,-3.14,L+1,L+2],t=new ot(t),r=au(t)&&t[0]===1&&t[1]===3&&t[2]===L-2&&t[3]===0&&t[4]===1}catch(a){r=!1}return r}vt.exports=su});var ft=i((wc,pt)=>{"use strict";var nu=ct();pt.exports=nu});var yt=i((bc,lt)=>{"use strict";var uu=typeof Uint32Array=="function"?Uint32Array:void 0;lt.exports=uu});var At=i((Nc,qt)=>{"use strict";function ou(){throw new Error("not implemented")}qt.exports=ou});var d=i((xc,gt)=>{"use strict";var vu=ft(),cu=yt(),pu=At(),P;vu()?P=cu:P=pu;gt.exports=P});var ht=i((Oc,dt)=>{"use strict";var fu=g(),lu=typeof Float64Array=="function";function yu(r){return lu&&r instanceof Float64Array||fu(r)==="[object Float64Array]"}dt.exports=yu});var mt=i((Uc,_t)=>{"use strict";var qu=ht();_t.exports=qu});var St=i((Tc,Et)=>{"use strict";var Au=typeof Float64Array=="function"?Float64Array:null;Et.exports=Au});var bt=i((Fc,wt)=>{"use strict";var gu=mt(),It=St();function du(){var r,t;if(typeof It!="function")return!1;try{t=new It([1,3.14,-3.14,NaN]),r=gu(t)&&t[0]===1&&t[1]===3.14&&t[2]===-3.14&&t[3]!==t[3]}catch(a){r=!1}return r}wt.exports=du});var xt=i((Lc,Nt)=>{"use strict";var hu=bt();Nt.exports=hu});var Ut=i((Pc,Ot)=>{"use strict";var _u=typeof Float64Array=="function"?Float64Array:void 0;Ot.exports=_u});var Ft=i((Rc,Tt)=>{"use strict";function mu(){throw new Error("not implemented")}Tt.exports=mu});var h=i((Wc,Lt)=>{"use strict";var Eu=xt(),Su=Ut(),Iu=Ft(),R;Eu()?R=Su:R=Iu;Lt.exports=R});var Rt=i((Gc,Pt)=>{"use strict";var wu=g(),bu=typeof Uint8Array=="function";function Nu(r){return bu&&r instanceof Uint8Array||wu(r)==="[object Uint8Array]"}Pt.exports=Nu});var Gt=i((Mc,Wt)=>{"use strict";var xu=Rt();Wt.exports=xu});var Ht=i((Hc,Mt)=>{"use strict";var Ou=255;Mt.exports=Ou});var Ct=i((Xc,Xt)=>{"use strict";var Uu=typeof Uint8Array=="function"?Uint8Array:null;Xt.exports=Uu});var Dt=i((Cc,Bt)=>{"use strict";var Tu=Gt(),W=Ht(),Vt=Ct();function Fu(){var r,t;if(typeof Vt!="function")return!1;try{t=[1,3.14,-3.14,W+1,W+2],t=new Vt(t),r=Tu(t)&&t[0]===1&&t[1]===3&&t[2]===W-2&&t[3]===0&&t[4]===1}catch(a){r=!1}return r}Bt.exports=Fu});var Zt=i((Vc,zt)=>{"use strict";var Lu=Dt();zt.exports=Lu});var Kt=i((Bc,$t)=>{"use strict";var Pu=typeof Uint8Array=="function"?Uint8Array:void 0;$t.exports=Pu});var Yt=i((Dc,Qt)=>{"use strict";function Ru(){throw new Error("not implemented")}Qt.exports=Ru});var Jt=i((zc,jt)=>{"use strict";var Wu=Zt(),Gu=Kt(),Mu=Yt(),G;Wu()?G=Gu:G=Mu;jt.exports=G});var ri=i((Zc,kt)=>{"use strict";var Hu=g(),Xu=typeof Uint16Array=="function";function Cu(r){return Xu&&r instanceof Uint16Array||Hu(r)==="[object Uint16Array]"}kt.exports=Cu});var ti=i(($c,ei)=>{"use strict";var Vu=ri();ei.exports=Vu});var ai=i((Kc,ii)=>{"use strict";var Bu=65535;ii.exports=Bu});var ni=i((Qc,si)=>{"use strict";var Du=typeof Uint16Array=="function"?Uint16Array:null;si.exports=Du});var vi=i((Yc,oi)=>{"use strict";var zu=ti(),M=ai(),ui=ni();function Zu(){var r,t;if(typeof ui!="function")return!1;try{t=[1,3.14,-3.14,M+1,M+2],t=new ui(t),r=zu(t)&&t[0]===1&&t[1]===3&&t[2]===M-2&&t[3]===0&&t[4]===1}catch(a){r=!1}return r}oi.exports=Zu});var pi=i((jc,ci)=>{"use strict";var $u=vi();ci.exports=$u});var li=i((Jc,fi)=>{"use strict";var Ku=typeof Uint16Array=="function"?Uint16Array:void 0;fi.exports=Ku});var qi=i((kc,yi)=>{"use strict";function Qu(){throw new Error("not implemented")}yi.exports=Qu});var gi=i((rp,Ai)=>{"use strict";var Yu=pi(),ju=li(),Ju=qi(),H;Yu()?H=ju:H=Ju;Ai.exports=H});var hi=i((ep,di)=>{"use strict";var ku=Jt(),ro=gi(),eo={uint16:ro,uint8:ku};di.exports=eo});var Si=i((tp,Ei)=>{"use strict";var _i=hi(),mi;function to(){var r,t;return r=new _i.uint16(1),r[0]=4660,t=new _i.uint8(r.buffer),t[0]===52}mi=to();Ei.exports=mi});var _=i((ip,Ii)=>{"use strict";var io=Si();Ii.exports=io});var Ni=i((ap,bi)=>{"use strict";var ao=_(),wi,X,C;ao===!0?(X=1,C=0):(X=0,C=1);wi={HIGH:X,LOW:C};bi.exports=wi});var V=i((sp,Ti)=>{"use strict";var so=d(),no=h(),Oi=Ni(),Ui=new no(1),xi=new so(Ui.buffer),uo=Oi.HIGH,oo=Oi.LOW;function vo(r,t,a,e){return Ui[0]=r,t[e]=xi[uo],t[e+a]=xi[oo],t}Ti.exports=vo});var Li=i((np,Fi)=>{"use strict";var co=V();function po(r){return co(r,[0,0],1,0)}Fi.exports=po});var B=i((up,Ri)=>{"use strict";var fo=O(),Pi=Li(),lo=V();fo(Pi,"assign",lo);Ri.exports=Pi});var Gi=i((op,Wi)=>{"use strict";var yo=_(),D;yo===!0?D=1:D=0;Wi.exports=D});var Xi=i((vp,Hi)=>{"use strict";var qo=d(),Ao=h(),go=Gi(),Mi=new Ao(1),ho=new qo(Mi.buffer);function _o(r){return Mi[0]=r,ho[go]}Hi.exports=_o});var z=i((cp,Ci)=>{"use strict";var mo=Xi();Ci.exports=mo});var Di=i((pp,Bi)=>{"use strict";var Eo=_(),Vi,Z,$;Eo===!0?(Z=1,$=0):(Z=0,$=1);Vi={HIGH:Z,LOW:$};Bi.exports=Vi});var Qi=i((fp,Ki)=>{"use strict";var So=d(),Io=h(),Zi=Di(),$i=new Io(1),zi=new So($i.buffer),wo=Zi.HIGH,bo=Zi.LOW;function No(r,t){return zi[wo]=r,zi[bo]=t,$i[0]}Ki.exports=No});var K=i((lp,Yi)=>{"use strict";var xo=Qi();Yi.exports=xo});var Ji=i((yp,ji)=>{"use strict";var Oo=Lr(),Uo=Rr(),To=B(),Fo=z(),Lo=K(),Q=[0,0];function Po(r,t){var a,e;return To.assign(r,Q,1,0),a=Q[0],a&=Uo,e=Fo(t),e&=Oo,a|=e,Lo(a,Q[1])}ji.exports=Po});var ra=i((qp,ki)=>{"use strict";var Ro=Ji();ki.exports=Ro});var ta=i((Ap,ea)=>{"use strict";var Wo=22250738585072014e-324;ea.exports=Wo});var aa=i((gp,ia)=>{"use strict";function Go(r){return Math.abs(r)}ia.exports=Go});var na=i((dp,sa)=>{"use strict";var Mo=aa();sa.exports=Mo});var Y=i((hp,ua)=>{"use strict";var Ho=ta(),Xo=w(),Co=l(),Vo=na(),Bo=4503599627370496;function Do(r,t,a,e){return Co(r)||Xo(r)?(t[e]=r,t[e+a]=0,t):r!==0&&Vo(r)<Ho?(t[e]=r*Bo,t[e+a]=-52,t):(t[e]=r,t[e+a]=0,t)}ua.exports=Do});var va=i((_p,oa)=>{"use strict";var zo=Y();function Zo(r){return zo(r,[0,0],1,0)}oa.exports=Zo});var fa=i((mp,pa)=>{"use strict";var $o=O(),ca=va(),Ko=Y();$o(ca,"assign",Ko);pa.exports=ca});var ya=i((Ep,la)=>{"use strict";var Qo=2146435072;la.exports=Qo});var Aa=i((Sp,qa)=>{"use strict";var Yo=z(),jo=ya(),Jo=I();function ko(r){var t=Yo(r);return t=(t&jo)>>>20,t-Jo|0}qa.exports=ko});var da=i((Ip,ga)=>{"use strict";var r0=Aa();ga.exports=r0});var _a=i((wp,ha)=>{"use strict";var e0=q(),t0=y(),i0=I(),a0=Ir(),s0=br(),n0=xr(),u0=l(),o0=w(),v0=ra(),c0=fa().assign,p0=da(),f0=B(),l0=K(),y0=2220446049250313e-31,q0=2148532223,j=[0,0],J=[0,0];function A0(r,t){var a,e;return t===0||r===0||u0(r)||o0(r)?r:(c0(r,j,1,0),r=j[0],t+=j[1],t+=p0(r),t<n0?v0(0,r):t>a0?r<0?t0:e0:(t<=s0?(t+=52,e=y0):e=1,f0.assign(r,J,1,0),a=J[0],a&=q0,a|=t+i0<<20,e*l0(a,J[1])))}ha.exports=A0});var Ea=i((bp,ma)=>{"use strict";var g0=_a();ma.exports=g0});var Ia=i((Np,Sa)=>{"use strict";function d0(r){return r===0?.16666666666666602:.16666666666666602+r*(-.0027777777777015593+r*(6613756321437934e-20+r*(-16533902205465252e-22+r*41381367970572385e-24)))}Sa.exports=d0});var ba=i((xp,wa)=>{"use strict";var h0=Ea(),_0=Ia();function m0(r,t,a){var e,n,s,u;return e=r-t,n=e*e,s=e-n*_0(n),u=1-(t-e*s/(2-s)-r),h0(u,a)}wa.exports=m0});var Fa=i((Op,Ta)=>{"use strict";var E0=l(),Na=qr(),S0=y(),xa=q(),I0=ba(),w0=.6931471803691238,b0=19082149292705877e-26,Oa=1.4426950408889634,N0=709.782712893384,x0=-745.1332191019411,Ua=1/(1<<28),O0=-Ua;function U0(r){var t,a,e;return E0(r)||r===xa?r:r===S0?0:r>N0?xa:r<x0?0:r>O0&&r<Ua?1+r:(r<0?e=Na(Oa*r-.5):e=Na(Oa*r+.5),t=r-e*w0,a=e*b0,I0(t,a,e))}Ta.exports=U0});var Pa=i((Up,La)=>{"use strict";var T0=Fa();La.exports=T0});var Wa=i((Tp,Ra)=>{"use strict";var F0=_(),k;F0===!0?k=0:k=1;Ra.exports=k});var Ma=i((Fp,Ga)=>{"use strict";var L0=d(),P0=h(),R0=Wa(),rr=new P0(1),W0=new L0(rr.buffer);function G0(r,t){return rr[0]=r,W0[R0]=t>>>0,rr[0]}Ga.exports=G0});var Xa=i((Lp,Ha)=>{"use strict";var M0=Ma();Ha.exports=M0});var Va=i((Pp,Ca)=>{"use strict";function H0(r){return r===0?-.3250421072470015:-.3250421072470015+r*(-.02848174957559851+r*(-.005770270296489442+r*-23763016656650163e-21))}Ca.exports=H0});var Da=i((Rp,Ba)=>{"use strict";function X0(r){return r===0?.39791722395915535:.39791722395915535+r*(.0650222499887673+r*(.005081306281875766+r*(.00013249473800432164+r*-3960228278775368e-21)))}Ba.exports=X0});var Za=i((Wp,za)=>{"use strict";function C0(r){return r===0?.41485611868374833:.41485611868374833+r*(-.3722078760357013+r*(.31834661990116175+r*(-.11089469428239668+r*(.035478304325618236+r*-.002166375594868791))))}za.exports=C0});var Ka=i((Gp,$a)=>{"use strict";function V0(r){return r===0?.10642088040084423:.10642088040084423+r*(.540397917702171+r*(.07182865441419627+r*(.12617121980876164+r*(.01363708391202905+r*.011984499846799107))))}$a.exports=V0});var Ya=i((Mp,Qa)=>{"use strict";function B0(r){return r===0?-.6938585727071818:-.6938585727071818+r*(-10.558626225323291+r*(-62.375332450326006+r*(-162.39666946257347+r*(-184.60509290671104+r*(-81.2874355063066+r*-9.814329344169145)))))}Qa.exports=B0});var Ja=i((Hp,ja)=>{"use strict";function D0(r){return r===0?19.651271667439257:19.651271667439257+r*(137.65775414351904+r*(434.56587747522923+r*(645.3872717332679+r*(429.00814002756783+r*(108.63500554177944+r*(6.570249770319282+r*-.0604244152148581))))))}ja.exports=D0});var rs=i((Xp,ka)=>{"use strict";function z0(r){return r===0?-.799283237680523:-.799283237680523+r*(-17.757954917754752+r*(-160.63638485582192+r*(-637.5664433683896+r*(-1025.0951316110772+r*-483.5191916086514))))}ka.exports=z0});var ts=i((Cp,es)=>{"use strict";function Z0(r){return r===0?30.33806074348246:30.33806074348246+r*(325.7925129965739+r*(1536.729586084437+r*(3199.8582195085955+r*(2553.0504064331644+r*(474.52854120695537+r*-22.44095244658582)))))}es.exports=Z0});var us=i((Vp,ns)=>{"use strict";var $0=l(),is=Pa(),K0=Xa(),Q0=q(),Y0=y(),j0=Va(),J0=Da(),k0=Za(),rv=Ka(),ev=Ya(),tv=Ja(),iv=rs(),av=ts(),as=1e-300,sv=2848094538889218e-321,nv=3725290298461914e-24,ss=.8450629115104675,uv=.1283791670955126,ov=1.0270333367641007,vv=.12837916709551256,cv=1,pv=-.0023621185607526594,fv=1,lv=-.009864944034847148,yv=1,qv=-.0098649429247001,Av=1;function gv(r){var t,a,e,n,s,u,o,v;return $0(r)?NaN:r===Q0?1:r===Y0?-1:r===0?r:(r<0?(t=!0,a=-r):(t=!1,a=r),a<.84375?a<nv?a<sv?.125*(8*r+ov*r):r+uv*r:(e=r*r,n=vv+e*j0(e),s=cv+e*J0(e),u=n/s,r+r*u):a<1.25?(s=a-1,o=pv+s*k0(s),v=fv+s*rv(s),t?-ss-o/v:ss+o/v):a>=6?t?as-1:1-as:(s=1/(a*a),a<2.857142857142857?(n=lv+s*ev(s),s=yv+s*tv(s)):(n=qv+s*iv(s),s=Av+s*av(s)),e=K0(a,0),n=is(-(e*e)-.5625)*is((e-a)*(e+a)+n/s),t?n/a-1:1-n/a))}ns.exports=gv});var vs=i((Bp,os)=>{"use strict";var dv=us();os.exports=dv});var hv=i((Dp,cs)=>{cs.exports=vs()});return hv();})();
/*! Bundled license information:

@stdlib/math-base-assert-is-nan/lib/main.js:
@stdlib/math-base-assert-is-nan/lib/index.js:
@stdlib/math-base-special-floor/lib/main.js:
@stdlib/math-base-special-floor/lib/index.js:
@stdlib/math-base-special-ceil/lib/main.js:
@stdlib/math-base-special-ceil/lib/index.js:
@stdlib/math-base-special-trunc/lib/main.js:
@stdlib/math-base-special-trunc/lib/index.js:
@stdlib/number-ctor/lib/main.js:
@stdlib/number-ctor/lib/index.js:
@stdlib/constants-float64-ninf/lib/index.js:
@stdlib/constants-float64-pinf/lib/index.js:
@stdlib/constants-float64-exponent-bias/lib/index.js:
@stdlib/constants-float64-max-base2-exponent/lib/index.js:
@stdlib/constants-float64-max-base2-exponent-subnormal/lib/index.js:
@stdlib/constants-float64-min-base2-exponent-subnormal/lib/index.js:
@stdlib/math-base-assert-is-infinite/lib/main.js:
@stdlib/math-base-assert-is-infinite/lib/index.js:
@stdlib/utils-define-property/lib/builtin.js:
@stdlib/utils-define-property/lib/polyfill.js:
@stdlib/utils-define-property/lib/index.js:
@stdlib/utils-define-nonenumerable-read-only-property/lib/main.js:
@stdlib/utils-define-nonenumerable-read-only-property/lib/index.js:
@stdlib/assert-has-symbol-support/lib/main.js:
@stdlib/assert-has-symbol-support/lib/index.js:
@stdlib/assert-has-tostringtag-support/lib/main.js:
@stdlib/assert-has-tostringtag-support/lib/index.js:
@stdlib/utils-native-class/lib/tostring.js:
@stdlib/utils-native-class/lib/main.js:
@stdlib/assert-has-own-property/lib/main.js:
@stdlib/assert-has-own-property/lib/index.js:
@stdlib/symbol-ctor/lib/main.js:
@stdlib/symbol-ctor/lib/index.js:
@stdlib/utils-native-class/lib/tostringtag.js:
@stdlib/utils-native-class/lib/polyfill.js:
@stdlib/utils-native-class/lib/index.js:
@stdlib/assert-is-uint32array/lib/main.js:
@stdlib/assert-is-uint32array/lib/index.js:
@stdlib/constants-uint32-max/lib/index.js:
@stdlib/assert-has-uint32array-support/lib/uint32array.js:
@stdlib/assert-has-uint32array-support/lib/main.js:
@stdlib/assert-has-uint32array-support/lib/index.js:
@stdlib/array-uint32/lib/main.js:
@stdlib/array-uint32/lib/polyfill.js:
@stdlib/array-uint32/lib/index.js:
@stdlib/assert-is-float64array/lib/main.js:
@stdlib/assert-is-float64array/lib/index.js:
@stdlib/assert-has-float64array-support/lib/float64array.js:
@stdlib/assert-has-float64array-support/lib/main.js:
@stdlib/assert-has-float64array-support/lib/index.js:
@stdlib/array-float64/lib/main.js:
@stdlib/array-float64/lib/polyfill.js:
@stdlib/array-float64/lib/index.js:
@stdlib/assert-is-uint8array/lib/main.js:
@stdlib/assert-is-uint8array/lib/index.js:
@stdlib/constants-uint8-max/lib/index.js:
@stdlib/assert-has-uint8array-support/lib/uint8array.js:
@stdlib/assert-has-uint8array-support/lib/main.js:
@stdlib/assert-has-uint8array-support/lib/index.js:
@stdlib/array-uint8/lib/main.js:
@stdlib/array-uint8/lib/polyfill.js:
@stdlib/array-uint8/lib/index.js:
@stdlib/assert-is-uint16array/lib/main.js:
@stdlib/assert-is-uint16array/lib/index.js:
@stdlib/constants-uint16-max/lib/index.js:
@stdlib/assert-has-uint16array-support/lib/uint16array.js:
@stdlib/assert-has-uint16array-support/lib/main.js:
@stdlib/assert-has-uint16array-support/lib/index.js:
@stdlib/array-uint16/lib/main.js:
@stdlib/array-uint16/lib/polyfill.js:
@stdlib/array-uint16/lib/index.js:
@stdlib/assert-is-little-endian/lib/ctors.js:
@stdlib/assert-is-little-endian/lib/main.js:
@stdlib/assert-is-little-endian/lib/index.js:
@stdlib/number-float64-base-to-words/lib/indices.js:
@stdlib/number-float64-base-to-words/lib/assign.js:
@stdlib/number-float64-base-to-words/lib/main.js:
@stdlib/number-float64-base-to-words/lib/index.js:
@stdlib/number-float64-base-get-high-word/lib/high.js:
@stdlib/number-float64-base-get-high-word/lib/main.js:
@stdlib/number-float64-base-get-high-word/lib/index.js:
@stdlib/number-float64-base-from-words/lib/indices.js:
@stdlib/number-float64-base-from-words/lib/main.js:
@stdlib/number-float64-base-from-words/lib/index.js:
@stdlib/math-base-special-copysign/lib/main.js:
@stdlib/math-base-special-copysign/lib/index.js:
@stdlib/constants-float64-smallest-normal/lib/index.js:
@stdlib/math-base-special-abs/lib/index.js:
@stdlib/number-float64-base-normalize/lib/assign.js:
@stdlib/number-float64-base-normalize/lib/main.js:
@stdlib/number-float64-base-normalize/lib/index.js:
@stdlib/constants-float64-high-word-exponent-mask/lib/index.js:
@stdlib/number-float64-base-exponent/lib/main.js:
@stdlib/number-float64-base-exponent/lib/index.js:
@stdlib/math-base-special-ldexp/lib/main.js:
@stdlib/math-base-special-ldexp/lib/index.js:
@stdlib/math-base-special-exp/lib/index.js:
@stdlib/number-float64-base-set-low-word/lib/low.js:
@stdlib/number-float64-base-set-low-word/lib/main.js:
@stdlib/number-float64-base-set-low-word/lib/index.js:
@stdlib/math-base-special-erf/lib/index.js:
  (**
  * @license Apache-2.0
  *
  * Copyright (c) 2018 The Stdlib Authors.
  *
  * Licensed under the Apache License, Version 2.0 (the "License");
  * you may not use this file except in compliance with the License.
  * You may obtain a copy of the License at
  *
  *    http://www.apache.org/licenses/LICENSE-2.0
  *
  * Unless required by applicable law or agreed to in writing, software
  * distributed under the License is distributed on an "AS IS" BASIS,
  * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
  * See the License for the specific language governing permissions and
  * limitations under the License.
  *)

@stdlib/constants-float64-high-word-sign-mask/lib/index.js:
@stdlib/constants-float64-high-word-abs-mask/lib/index.js:
@stdlib/string-base-format-interpolate/lib/is_number.js:
@stdlib/string-base-format-interpolate/lib/zero_pad.js:
@stdlib/string-base-format-interpolate/lib/format_integer.js:
@stdlib/string-base-format-interpolate/lib/is_string.js:
@stdlib/string-base-format-interpolate/lib/format_double.js:
@stdlib/string-base-format-interpolate/lib/space_pad.js:
@stdlib/string-base-format-interpolate/lib/main.js:
@stdlib/string-base-format-interpolate/lib/index.js:
@stdlib/string-base-format-tokenize/lib/main.js:
@stdlib/string-base-format-tokenize/lib/index.js:
@stdlib/string-format/lib/is_string.js:
@stdlib/string-format/lib/main.js:
@stdlib/string-format/lib/index.js:
@stdlib/math-base-special-exp/lib/polyval_p.js:
@stdlib/math-base-special-erf/lib/polyval_pp.js:
@stdlib/math-base-special-erf/lib/polyval_qq.js:
@stdlib/math-base-special-erf/lib/polyval_pa.js:
@stdlib/math-base-special-erf/lib/polyval_qa.js:
@stdlib/math-base-special-erf/lib/polyval_ra.js:
@stdlib/math-base-special-erf/lib/polyval_sa.js:
@stdlib/math-base-special-erf/lib/polyval_rb.js:
@stdlib/math-base-special-erf/lib/polyval_sb.js:
  (**
  * @license Apache-2.0
  *
  * Copyright (c) 2022 The Stdlib Authors.
  *
  * Licensed under the Apache License, Version 2.0 (the "License");
  * you may not use this file except in compliance with the License.
  * You may obtain a copy of the License at
  *
  *    http://www.apache.org/licenses/LICENSE-2.0
  *
  * Unless required by applicable law or agreed to in writing, software
  * distributed under the License is distributed on an "AS IS" BASIS,
  * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
  * See the License for the specific language governing permissions and
  * limitations under the License.
  *)

@stdlib/utils-define-property/lib/define_property.js:
@stdlib/utils-define-property/lib/has_define_property_support.js:
@stdlib/math-base-special-abs/lib/main.js:
  (**
  * @license Apache-2.0
  *
  * Copyright (c) 2021 The Stdlib Authors.
  *
  * Licensed under the Apache License, Version 2.0 (the "License");
  * you may not use this file except in compliance with the License.
  * You may obtain a copy of the License at
  *
  *    http://www.apache.org/licenses/LICENSE-2.0
  *
  * Unless required by applicable law or agreed to in writing, software
  * distributed under the License is distributed on an "AS IS" BASIS,
  * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
  * See the License for the specific language governing permissions and
  * limitations under the License.
  *)

@stdlib/math-base-special-exp/lib/expmulti.js:
@stdlib/math-base-special-exp/lib/main.js:
  (**
  * @license Apache-2.0
  *
  * Copyright (c) 2018 The Stdlib Authors.
  *
  * Licensed under the Apache License, Version 2.0 (the "License");
  * you may not use this file except in compliance with the License.
  * You may obtain a copy of the License at
  *
  *    http://www.apache.org/licenses/LICENSE-2.0
  *
  * Unless required by applicable law or agreed to in writing, software
  * distributed under the License is distributed on an "AS IS" BASIS,
  * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
  * See the License for the specific language governing permissions and
  * limitations under the License.
  *
  *
  * ## Notice
  *
  * The following copyrights, licenses, and long comment were part of the original implementation available as part of [Go]{@link https://github.com/golang/go/blob/cb07765045aed5104a3df31507564ac99e6ddce8/src/math/exp.go}, which in turn was based on an implementation available as part of [FreeBSD]{@link https://svnweb.freebsd.org/base/release/9.3.0/lib/msun/src/e_exp.c}. The implementation follows the original, but has been modified for JavaScript.
  *
  * ```text
  * Copyright (c) 2009 The Go Authors. All rights reserved.
  *
  * Redistribution and use in source and binary forms, with or without
  * modification, are permitted provided that the following conditions are
  * met:
  *
  *    * Redistributions of source code must retain the above copyright
  * notice, this list of conditions and the following disclaimer.
  *    * Redistributions in binary form must reproduce the above
  * copyright notice, this list of conditions and the following disclaimer
  * in the documentation and/or other materials provided with the
  * distribution.
  *    * Neither the name of Google Inc. nor the names of its
  * contributors may be used to endorse or promote products derived from
  * this software without specific prior written permission.
  *
  * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
  * "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
  * LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
  * A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
  * OWNER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
  * SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
  * LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
  * DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
  * THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
  * (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
  * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
  * ```
  *
  * ```text
  * Copyright (C) 2004 by Sun Microsystems, Inc. All rights reserved.
  *
  * Developed at SunPro, a Sun Microsystems, Inc. business.
  * Permission to use, copy, modify, and distribute this
  * software is freely granted, provided that this notice
  * is preserved.
  * ```
  *)

@stdlib/math-base-special-erf/lib/main.js:
  (**
  * @license Apache-2.0
  *
  * Copyright (c) 2018 The Stdlib Authors.
  *
  * Licensed under the Apache License, Version 2.0 (the "License");
  * you may not use this file except in compliance with the License.
  * You may obtain a copy of the License at
  *
  *    http://www.apache.org/licenses/LICENSE-2.0
  *
  * Unless required by applicable law or agreed to in writing, software
  * distributed under the License is distributed on an "AS IS" BASIS,
  * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
  * See the License for the specific language governing permissions and
  * limitations under the License.
  *
  *
  * ## Notice
  *
  * The following copyright, license, and long comment were part of the original implementation available as part of [FreeBSD]{@link https://svnweb.freebsd.org/base/release/9.3.0/lib/msun/src/s_erf.c}. The implementation follows the original, but has been modified for JavaScript.
  *
  * ```text
  * Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
  *
  * Developed at SunPro, a Sun Microsystems, Inc. business.
  * Permission to use, copy, modify, and distribute this
  * software is freely granted, provided that this notice
  * is preserved.
  * ```
  *)
*/
